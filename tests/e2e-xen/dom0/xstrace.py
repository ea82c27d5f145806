#!/usr/bin/env python3
"""Traces XenStore changes under the given paths, with times, talking to xenstored's socket.

One line per change: "<seconds since T0> <path> = <value>" ("(gone)" when removed). Reads the
value as soon as the watch fires, in the same process: far closer to the real order and timing
than a shell loop around xenstore-watch. Only keys that matter to PV devices are shown.

Usage: xstrace.py T0 PATH... (T0: /proc/uptime seconds the times are relative to)
"""

import re
import socket
import struct
import sys

XS_READ, XS_WATCH, XS_ERROR, XS_WATCH_EVENT = 2, 4, 16, 15
SOCKET = "/run/xenstored/socket"
INTERESTING = re.compile(
    r"/(state|online|[a-z]+-ring-ref|[a-z]+-event-channel|page-gref|page-ref|event-channel|"
    r"request-abs-pointer|error|resolution|be-alloc|feature-[a-z-]+|width|height|frontend|"
    r"backend|unique-id)$|/backend/(vdispl|vinput|vkbd)/\d+(/\d+)?$|/device/(vdispl|vkbd)/\d+$")


def uptime():
    with open("/proc/uptime") as f:
        return float(f.read().split()[0])


class Store:
    def __init__(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(SOCKET)
        self.buf = b""
        self.events = []
        self.req = 0

    def recv_msg(self):
        while True:
            if len(self.buf) >= 16:
                mtype, req, tx, length = struct.unpack("<IIII", self.buf[:16])
                if len(self.buf) >= 16 + length:
                    body = self.buf[16:16 + length]
                    self.buf = self.buf[16 + length:]
                    return mtype, req, body
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data

    def call(self, mtype, payload):
        self.req += 1
        self.sock.sendall(struct.pack("<IIII", mtype, self.req, 0, len(payload)) + payload)
        while True:
            t, req, body = self.recv_msg()
            if t == XS_WATCH_EVENT:
                self.events.append(body)
                continue
            if req == self.req:
                return t, body

    def read(self, path):
        t, body = self.call(XS_READ, path.encode() + b"\0")
        return None if t == XS_ERROR else body.decode(errors="replace")

    def next_event(self):
        if self.events:
            return self.events.pop(0)
        while True:
            t, _, body = self.recv_msg()
            if t == XS_WATCH_EVENT:
                return body


def main():
    t0 = float(sys.argv[1])
    store = Store()
    for i, path in enumerate(sys.argv[2:]):
        store.call(XS_WATCH, path.encode() + b"\0" + b"t%d\0" % i)
    while True:
        path = store.next_event().split(b"\0")[0].decode(errors="replace")
        if not INTERESTING.search(path):
            continue
        value = store.read(path)
        shown = "(gone)" if value is None else value
        print("%.3f %s = %s" % (uptime() - t0, path, shown), flush=True)


if __name__ == "__main__":
    try:
        main()
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        pass
