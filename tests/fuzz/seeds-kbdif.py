#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-kbdif (corpus/fuzz-kbdif/), in the target's input format
(see its comment): ring indexes, operations up to 0xff, then XenStore values split at NULs."""
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, 'corpus', 'fuzz-kbdif')

DOWN, MOTION, UP, SYN = 0, 1, 2, 3


def key(code, pressed):
    return bytes([0]) + struct.pack('<HB', code, pressed)


def burst(code, pairs):
    return bytes([0x80]) + struct.pack('<HB', code, (pairs - 1) << 1)


def motion(dx, dy):
    return bytes([1, 0]) + struct.pack('<ii', dx, dy)


def pos(x, y):
    return bytes([2, 0]) + struct.pack('<ii', x, y)


def touch(kind, contact, x=0, y=0):
    return bytes([3, kind | contact << 2]) + struct.pack('<ii', x, y)


def consume(n):
    return bytes([4, n])


def cons(value):
    return bytes([5, 0]) + struct.pack('<iI', value, 0)


def flush():
    return bytes([6])


def inherited(contact):
    return bytes([7, contact])


ABSENT = '\x01'
# feature-disable-keyboard, -pointer, width, height, feature-multi-touch, multi-touch-width,
# -height, -num-contacts, feature-abs-pointer, feature-raw-pointer, unique-id,
# request-abs-pointer, request-raw-pointer, request-multi-touch, page-gref, event-channel, state
linux = ['0', '0', '1920', '1080', '1', '1920', '1080', '10', ABSENT, ABSENT, 'dev;T:cluster',
         '1', '1', '1', '8', '5', '4']


def values(v):
    return b'\xff' + '\0'.join(v).encode()


def indexes(prod, cons_):
    return struct.pack('<II', prod, cons_)


typing = b''.join(key(30 + i % 20, 1) + key(30 + i % 20, 0) for i in range(40))
seeds = {
    # Keys typed faster than the guest reads: queued, then drained.
    'typing': indexes(0, 0) + typing + consume(20) + flush() + consume(255) + flush()
    + values(linux),
    # Pointer motion and positions merged behind a full ring.
    'pointer': indexes(100, 100) + b''.join(motion(i, -i) + pos(i * 10, i * 7) for i in range(60))
    + consume(255) + flush() + values(linux),
    # Two contacts down, moving, up, with frames.
    'touch': indexes(0, 0) + touch(DOWN, 1, 10, 10) + touch(DOWN, 2, 500, 500)
    + b''.join(touch(MOTION, 1 + i % 2, i, i) + touch(SYN, 0) for i in range(40))
    + touch(UP, 1) + touch(UP, 2) + touch(SYN, 0) + consume(255) + values(linux),
    # Across the wrap of the index, the guest slow.
    'wrap': indexes(0xfffffff0, 0xffffffe8) + typing[:120] + consume(3) + flush() + typing[120:]
    + consume(9) + flush() + values(linux),
    # A guest that stops reading: the queue overflows, drops, then releases.
    'stall': indexes(0, 0) + key(42, 1) + b''.join(motion(1, 1) + key(30, i & 1) for i in range(20))
    + burst(30, 128) * 17 + key(42, 0) + b''.join(consume(255) + flush() for i in range(100))
    + values(linux),
    # A taken-over device: a contact held from before, released.
    'inherited': indexes(7, 7) + inherited(3) + touch(UP, 3) + touch(SYN, 3) + flush()
    + values(linux),
    # Hostile consumer indexes: ahead of ours, then far behind.
    'hostile': indexes(10, 5) + key(30, 1) + cons(20) + key(30, 0) + cons(-1000) + flush()
    + values(linux),
    # Malformed and absent values: defaults, not numbers, too large.
    'values': indexes(0, 0) + key(2, 1) + values(['1', 'x', '99999999999', '-1', '0x10', '65537',
                                                 '', '257', '0', ABSENT, 'A' * 5000, ' 1', '01',
                                                 ABSENT, '4294967296', 'abc', '9']),
}

os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
