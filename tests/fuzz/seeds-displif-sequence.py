#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-displif-sequence (corpus/fuzz-displif-sequence/):
a guest's usual request sequences, in the target's input format (see its comment)."""
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, 'corpus', 'fuzz-displif-sequence')

DBUF_CREATE, DBUF_DESTROY, FB_ATTACH, FB_DETACH, SET_CONFIG, PG_FLIP, GET_EDID = range(0x10, 0x17)
XR24, RG16, RG24, YUYV = (struct.unpack('<I', f.encode())[0] for f in ('XR24', 'RG16', 'RG24', 'YUYV'))
RES = {'1x1': 0, '64x48': 1, '640x480': 2, '33x17': 3, '1920x1080': 4}


def header(budget=2, be_alloc=False, two=True, res0='64x48', res1='64x48', fail_map=0,
           fail_share=0, limit=0, to_wrap=0):
    flags = (3 if be_alloc else 0) | (4 if two else 0)
    return bytes([budget, flags, RES[res0], RES[res1], fail_map, fail_share, limit, to_wrap])


def req(op, payload, conn=0, rid=1, notify=True):
    tag = (0 if notify else 4) | (conn << 3)
    body = struct.pack('<HB5x', rid, op) + payload
    return bytes([tag]) + body.ljust(64, b'\0')


def page(ref, nxt, base, stride=1):
    return bytes([5]) + struct.pack('<IIIH', ref, nxt, base, stride)


def present(conn=0, keep=0):  # keep: 0..3, the guest leaves 3 * keep events unread
    return bytes([6 | (conn << 3), keep << 6])


def repeat(conn, times):
    return bytes([7 | 0x20 | (conn << 3), times - 1])


def dbuf(cookie, w, h, bpp, size, gdir, flags=0, ofs=0):
    return struct.pack('<QIIIIIII', cookie, w, h, bpp, size, flags, gdir, ofs)


def fb(dcookie, fcookie, w, h, fourcc):
    return struct.pack('<QQIII', dcookie, fcookie, w, h, fourcc)


def config(fcookie, x, y, w, h, bpp):
    return struct.pack('<QIIIII', fcookie, x, y, w, h, bpp)


seeds = {
    # Linux's dumb buffer, shown on both connectors, its EDID read, all released.
    'dumb-two-connectors': header() + page(0x200, 0, 0x1000) + page(0x201, 0, 0x300)
    + req(DBUF_CREATE, dbuf(1, 64, 48, 32, 64 * 48 * 4, 0x200))
    + req(FB_ATTACH, fb(1, 2, 64, 48, XR24), rid=2)
    + req(SET_CONFIG, config(2, 0, 0, 64, 48, 32), rid=3)
    + req(PG_FLIP, struct.pack('<Q', 2), rid=4) + present()
    + req(SET_CONFIG, config(2, 0, 0, 64, 48, 32), conn=1, rid=5)
    + req(PG_FLIP, struct.pack('<Q', 2), conn=1, rid=6) + present(1)
    + req(GET_EDID, struct.pack('<II', 4096, 0x201), rid=7)
    + req(FB_DETACH, struct.pack('<Q', 2), rid=8)
    + req(DBUF_DESTROY, struct.pack('<Q', 1), rid=9),
    # A 4 MiB buffer: a page directory of two pages.
    'chain': header(budget=3, res0='640x480', two=False) + page(0x200, 0x201, 0x1000)
    + page(0x201, 0, 0x2000)
    + req(DBUF_CREATE, dbuf(1, 1024, 1024, 32, 1024 * 1024 * 4, 0x200))
    + req(FB_ATTACH, fb(1, 2, 640, 480, XR24), rid=2)
    + req(PG_FLIP, struct.pack('<Q', 2), rid=3) + present()
    + req(DBUF_DESTROY, struct.pack('<Q', 1), rid=4),
    # Backend allocation: our pages, their refs written into the guest's directory.
    'be-alloc': header(be_alloc=True, two=False)
    + req(DBUF_CREATE, dbuf(1, 64, 48, 16, 64 * 48 * 2, 0x200, flags=1))
    + req(FB_ATTACH, fb(1, 2, 64, 48, RG16), rid=2)
    + req(PG_FLIP, struct.pack('<Q', 2), rid=3) + present()
    + req(DBUF_DESTROY, struct.pack('<Q', 1), rid=4),
    # An imported buffer: no geometry until FB_ATTACH, data at an offset.
    'import': header(two=False) + page(0x200, 0, 0x1000)
    + req(DBUF_CREATE, dbuf(1, 0, 0, 0, 5 * 4096, 0x200, ofs=256))
    + req(FB_ATTACH, fb(1, 2, 32, 32, YUYV), rid=2)
    + req(SET_CONFIG, config(2, 4, 4, 28, 28, 16), rid=3)
    + req(PG_FLIP, struct.pack('<Q', 2), rid=4) + present(),
    # Rows that are not 4-byte aligned (copied first), converted on each flip.
    'unaligned': header(two=False, res0='33x17') + page(0x200, 0, 0x1000)
    + req(DBUF_CREATE, dbuf(1, 33, 17, 24, 33 * 17 * 3, 0x200))
    + req(FB_ATTACH, fb(1, 2, 33, 17, RG24), rid=2)
    + req(PG_FLIP, struct.pack('<Q', 2), rid=3) + present()
    + req(PG_FLIP, struct.pack('<Q', 2), rid=4) + present(keep=3),
    # Flips without waiting for their events: the ring fills, then -EBUSY.
    'flood': header(two=False) + page(0x200, 0, 0x1000)
    + req(DBUF_CREATE, dbuf(1, 64, 48, 32, 64 * 48 * 4, 0x200))
    + req(FB_ATTACH, fb(1, 2, 64, 48, XR24), rid=2)
    + req(PG_FLIP, struct.pack('<Q', 2), rid=3) + repeat(0, 256) + repeat(0, 10)
    + present() + present(),
    # Requests pushed in a batch, one notification for all; then the buffer is destroyed while shown.
    'batch': header(two=False) + page(0x200, 0, 0x1000)
    + req(DBUF_CREATE, dbuf(1, 64, 48, 32, 64 * 48 * 4, 0x200), notify=False)
    + req(FB_ATTACH, fb(1, 2, 64, 48, XR24), rid=2, notify=False)
    + req(SET_CONFIG, config(2, 0, 0, 64, 48, 32), rid=3, notify=False)
    + req(DBUF_DESTROY, struct.pack('<Q', 1), rid=4)
    + req(DBUF_CREATE, dbuf(1, 64, 48, 32, 64 * 48 * 4, 0x200), rid=5),
    # A buffer destroyed while a connector shows it, then another as large: within the budget?
    'destroy-shown': header(budget=0, two=False, res0='64x48') + page(0x200, 0, 0x1000)
    + req(DBUF_CREATE, dbuf(1, 64, 32, 32, 64 * 32 * 4, 0x200))
    + req(FB_ATTACH, fb(1, 2, 64, 32, XR24), rid=2)
    + req(SET_CONFIG, config(2, 0, 0, 64, 32, 32), rid=3)
    + req(DBUF_DESTROY, struct.pack('<Q', 1), rid=4)
    + req(DBUF_CREATE, dbuf(1, 64, 32, 32, 64 * 32 * 4, 0x200), rid=5),
    # Flip events across the wrap of the event ring's index, the guest slow to consume.
    'events-wrap': header(two=False, to_wrap=5) + page(0x200, 0, 0x1000)
    + req(DBUF_CREATE, dbuf(1, 64, 48, 32, 64 * 48 * 4, 0x200))
    + req(FB_ATTACH, fb(1, 2, 64, 48, XR24), rid=2)
    + (req(PG_FLIP, struct.pack('<Q', 2), rid=3) + present(keep=2)) * 12,
    # A producer index far ahead: the device is closed.
    'overflow': header(two=False) + bytes([7 | 0x10]) + struct.pack('<I', 1000),
}

os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    assert len(data) <= 2048, name
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
