#!/usr/bin/env python3
"""The host's side of the DRM variant: QEMU's monitor (QMP) as the screen and the hands.

Follows the serial log; when dom0's scenario prints
    E2E-DOM0 <t> HOST-SCREENDUMP <name>     -> writes <out>/shot-<name>.ppm (QMP screendump)
    E2E-DOM0 <t> HOST-KEY <keys>            -> types keys on the USB keyboard (HMP sendkey:
                                              "a", "meta_l-1" for Super+1)
    E2E-DOM0 <t> HOST-POINTER <x> <y> [click] -> moves the USB tablet to output pixel (x, y) of
                                              the <w>x<h> screen (and clicks the left button)
and logs what it did. Ends when QEMU closes the socket or dom0 prints its END line.
"""

import argparse
import json
import os
import re
import socket
import sys
import time


class QMP:
    def __init__(self, path, timeout=60):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.file = self.sock.makefile("rwb")
        self.recv()  # greeting
        self.cmd("qmp_capabilities")

    def recv(self):
        while True:
            line = self.file.readline()
            if not line:
                raise EOFError
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def cmd(self, name, **args):
        self.file.write(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        self.file.flush()
        reply = self.recv()
        if "error" in reply:
            raise RuntimeError("%s: %s" % (name, reply["error"]))
        return reply.get("return")


def log(msg):
    print("[qmp %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def send_keys(qmp, keys):
    if not re.fullmatch(r"[a-z0-9_]+(-[a-z0-9_]+)*", keys):
        raise RuntimeError("not a sendkey key list: %r" % keys)
    qmp.cmd("human-monitor-command", **{"command-line": "sendkey %s" % keys})
    log("sendkey %s" % keys)


def send_pointer(qmp, x, y, click, width, height):
    # usb-tablet: absolute axes 0..32767 over the whole screen; libinput maps them back to
    # pixels as x * width / 32768 (a pixel's centre lands on that pixel).
    ax = min(32767, int((x + 0.5) * 32768 / width))
    ay = min(32767, int((y + 0.5) * 32768 / height))
    qmp.cmd("input-send-event", events=[
        {"type": "abs", "data": {"axis": "x", "value": ax}},
        {"type": "abs", "data": {"axis": "y", "value": ay}}])
    time.sleep(0.2)
    if click:
        for down in (True, False):
            qmp.cmd("input-send-event", events=[
                {"type": "btn", "data": {"down": down, "button": "left"}}])
            time.sleep(0.1)
    log("tablet to %d,%d of %dx%d (abs %d,%d)%s" % (
        x, y, width, height, ax, ay, ", left click" if click else ""))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--serial", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--size", default="2080x800", help="the virtual screen's size")
    args = p.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    os.makedirs(args.out, exist_ok=True)
    qmp = QMP(args.socket)
    log("connected")
    pos = 0
    marker = re.compile(r"E2E-DOM0 \S+ HOST-(SCREENDUMP|KEY|POINTER) (.*)")
    while True:
        with open(args.serial, "rb") as f:
            f.seek(pos)
            data = f.read()
        lines = data.split(b"\n")
        pos += len(data) - len(lines[-1])
        for raw in lines[:-1]:
            line = raw.decode(errors="replace")
            if "E2E-DOM0 END" in line:
                log("dom0 finished")
                return 0
            m = marker.search(line)
            if not m:
                continue
            try:
                if m.group(1) == "SCREENDUMP":
                    name = m.group(2).strip()
                    path = os.path.join(args.out, "shot-%s.ppm" % name)
                    qmp.cmd("screendump", filename=path)
                    log("screendump %s (%d bytes)" % (path, os.path.getsize(path)))
                elif m.group(1) == "KEY":
                    send_keys(qmp, m.group(2).strip())
                else:
                    words = m.group(2).split()
                    send_pointer(qmp, int(words[0]), int(words[1]), "click" in words[2:],
                                 width, height)
            except (RuntimeError, OSError) as e:
                log("failed: %s" % e)
            except EOFError:
                return 0
        time.sleep(0.2)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (EOFError, ConnectionError) as e:
        log("QEMU went away: %s" % e)
