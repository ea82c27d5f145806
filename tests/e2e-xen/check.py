#!/usr/bin/env python3
"""Judges a real-Xen run from what dom0 collected (see dom0/dom0.sh).

Prints one line per check (PASS, FAIL or SKIP with the evidence) and a last line
"e2e-xen: PASS" or "e2e-xen: FAIL (n checks failed)". Exit status 0 or 1.

Pictures: the guest runs modetest with one -s per connector. modetest (legacy mode) draws one
SMPTE pattern over a framebuffer as wide as all modes side by side, and connector i scans it out
at x = the sum of the widths before it. So the expected picture of each connector is that crop of
libdrm's fill_smpte_rgb32 pattern, reproduced here. mosaicctl surfaces says where each connector
is on the output; at 1:1 scale every pixel is compared, when scaled the centres of the bars are.
"""

import argparse
import os
import re
import statistics
import struct
import sys
import zlib

# Flip rates (Hz) the guest may see: see Judge.flips.
# MIN_HZ is just above the 0.32 Hz of a frontend whose every flip times out (3.1 s): slower
# but working is told apart by the timeouts, which must be none.
MIN_HZ, MAX_HZ = 0.4, 66
# With no guest on screen: the best modetest window must show mosaic's 60 Hz grid (a clock
# completing every other period would top out at 30 Hz). Same value as dom0.sh's E2E_HIDDEN_HZ.
HIDDEN_BEST_HZ = 40
BACKGROUND = (20, 20, 25)  # compositor/output.c: {0.08, 0.08, 0.1} * 255, truncated
PLACEHOLDER = (56, 56, 63)  # compositor/surface.c: {0.22, 0.22, 0.25} * 255, truncated

# ---------------------------------------------------------------------------------------------
# images


def read_png(path):
    """Decodes an 8-bit, non-interlaced RGB or RGBA PNG; returns (w, h, rows of RGB bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        ctype = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if ctype == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace != 0:
                raise ValueError("unsupported PNG (depth %d colour %d)" % (depth, colour))
            bpp = 3 if colour == 2 else 4
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif ftype == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        prev = line
        if bpp == 4:
            line = bytearray(b for i, b in enumerate(line) if i % 4 != 3)
        rows.append(bytes(line))
    return w, h, rows


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("unsupported PPM")
    w, h = int(fields[1]), int(fields[2])
    return w, h, [data[pos + y * w * 3:pos + (y + 1) * w * 3] for y in range(h)]


def read_image(path):
    return read_ppm(path) if path.endswith(".ppm") else read_png(path)


def smpte_row(width, height, y):
    """One row of libdrm's fill_smpte_rgb32 (tests/util/pattern.c), as RGB tuples."""
    top = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0), (192, 0, 192),
           (192, 0, 0), (0, 0, 192)]
    middle = [(0, 0, 192), (19, 19, 19), (192, 0, 192), (19, 19, 19), (0, 192, 192),
              (19, 19, 19), (192, 192, 192)]
    bottom = [(0, 33, 76), (255, 255, 255), (50, 0, 106), (19, 19, 19), (9, 9, 9),
              (19, 19, 19), (29, 29, 29), (19, 19, 19)]
    if y < height * 6 // 9:
        return [top[x * 7 // width] for x in range(width)]
    if y < height * 7 // 9:
        return [middle[x * 7 // width] for x in range(width)]
    row = []
    w57, w67 = width * 5 // 7, width * 6 // 7
    for x in range(width):
        if x < w57:
            row.append(bottom[x * 4 // w57])
        elif x < w67:
            row.append(bottom[(x - w57) * 3 // (width // 7) + 4])
        else:
            row.append(bottom[7])
    return row


class Pattern:
    """modetest's framebuffer: SMPTE over all modes side by side."""

    def __init__(self, width, height):
        self.width, self.height = width, height
        self.bands = {}  # row kind -> bytes of the row

    def row(self, y):
        kind = 0 if y < self.height * 6 // 9 else (1 if y < self.height * 7 // 9 else 2)
        if kind not in self.bands:
            self.bands[kind] = bytes(c for px in smpte_row(self.width, self.height, y) for c in px)
        return self.bands[kind]

    def pixel(self, x, y):
        r = self.row(y)
        return tuple(r[x * 3:x * 3 + 3])


class Black:
    """prime-fb's buffers (guest/prime-fb.c): as vgem allocates them, zeroed."""

    def __init__(self, width, height):
        self.width, self.height = width, height
        self.black = bytes(width * 3)

    def row(self, y):
        return self.black

    def pixel(self, x, y):
        return (0, 0, 0)


def describe(img, box):
    """The most common colours in a box of a screenshot, for a failure message."""
    w, h, rows = img
    counts = {}
    x0, y0, bw, bh = box
    for y in range(max(0, y0), min(h, y0 + bh), max(1, bh // 40)):
        r = rows[y]
        for x in range(max(0, x0), min(w, x0 + bw), max(1, bw // 40)):
            px = tuple(r[x * 3:x * 3 + 3])
            counts[px] = counts.get(px, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:4]
    total = sum(counts.values()) or 1
    names = []
    for px, n in top:
        name = ("placeholder" if close(px, PLACEHOLDER, 3) else
                "output background: nothing shown" if close(px, BACKGROUND, 3) else
                "black" if max(px) < 8 else "")
        names.append("rgb%s%s %d%%" % (px, " " + name if name else "", 100 * n // total))
    return ", ".join(names)


def placeholder_in(img, box):
    """A placeholder: one flat colour over most of the box (a label may sit in the middle),
    and none of the pattern's bars. Returns (ok, message)."""
    w, h, rows = img
    x0, y0, bw, bh = box
    if bw <= 0 or bh <= 0 or x0 < 0 or y0 < 0 or x0 + bw > w or y0 + bh > h:
        return False, "box %dx%d+%d+%d is not inside the %dx%d picture" % (bw, bh, x0, y0, w, h)
    counts = {}
    for y in range(y0, y0 + bh, max(1, bh // 30)):
        for x in range(x0, x0 + bw, max(1, bw // 30)):
            px = tuple(rows[y][x * 3:x * 3 + 3])
            counts[px] = counts.get(px, 0) + 1
    colour, n = max(counts.items(), key=lambda kv: kv[1])
    share = n / sum(counts.values())
    bars = {(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0), (192, 0, 192)}
    seen = sorted(px for px in counts if px in bars)
    ok = share >= 0.7 and not seen and colour != BACKGROUND
    return ok, "rgb%s over %d%% of the box%s%s" % (
        colour, 100 * share, "; SMPTE colours seen: %s" % seen if seen else "",
        " (the output's background: nothing shown)" if colour == BACKGROUND else "")


def close(a, b, tol):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def compare_connector(img, box, pattern, src_x, res):
    """Compares one connector's box with its crop of the pattern. Returns (ok, message)."""
    w, h, rows = img
    x0, y0, bw, bh = box
    rw, rh = res
    if bw <= 0 or bh <= 0 or x0 < 0 or y0 < 0 or x0 + bw > w or y0 + bh > h:
        return False, "box %dx%d+%d+%d is not inside the %dx%d screenshot" % (bw, bh, x0, y0, w, h)
    if (bw, bh) == (rw, rh):
        bad, worst, total_sum = 0, 0, 0
        for y in range(bh):
            actual = rows[y0 + y][x0 * 3:(x0 + bw) * 3]
            expected = pattern.row(y)[src_x * 3:(src_x + bw) * 3]
            total_sum += sum(actual)
            if actual == expected:
                continue
            for i in range(0, len(actual), 3):
                d = max(abs(actual[i + k] - expected[i + k]) for k in range(3))
                if d > 2:
                    bad += 1
                    worst = max(worst, d)
        n = bw * bh
        msg = "1:1, %d of %d pixels differ (worst %d), pixel sum %d" % (bad, n, worst, total_sum)
        return bad <= n // 1000, msg
    # Scaled: sample the middle of every bar, away from edges.
    sx, sy = bw / rw, bh / rh
    points = []
    for band_y in (rh * 3 // 9, rh * 13 // 18, rh * 8 // 9):
        for k in range(8):
            x = src_x + (rw * (2 * k + 1)) // 16
            points.append((x - src_x, band_y))
    bad = []
    for px, py in points:
        exp = pattern.pixel(src_x + px, py)
        # Only where the pattern is flat around the point (scaling blends edges).
        if any(pattern.pixel(min(pattern.width - 1, max(0, src_x + px + d)), py) != exp
               for d in (-4, 4)):
            continue
        dx, dy = x0 + int((px + 0.5) * sx), y0 + int((py + 0.5) * sy)
        act = tuple(rows[dy][dx * 3:dx * 3 + 3])
        if not close(act, exp, 16):
            bad.append("(%d,%d) %s want %s" % (px, py, act, exp))
    msg = "scaled %.3f, %d sample points, %d wrong%s" % (
        sx, len(points), len(bad), (": " + "; ".join(bad[:4])) if bad else "")
    return not bad, msg


# ---------------------------------------------------------------------------------------------
# results


def freq_list(ack):
    """modetest's rates from a flip command's answer: "ok freq=A B C timeouts=..."."""
    if "freq=" not in ack:
        return []
    return [float(f) for f in ack.split("freq=", 1)[1].split(" timeouts=")[0].split()]


def parse_kv(line):
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", line))


class Judge:
    def __init__(self, args):
        self.args = args
        self.dir = args.results
        self.failed = 0
        self.results = {}
        path = os.path.join(self.dir, "results.txt")
        if os.path.exists(path):
            for line in open(path, errors="replace"):
                key, _, value = line.strip().partition(" ")
                self.results[key] = value

    def report(self, status, name, msg):
        if status == "FAIL":
            self.failed += 1
        print("%s %s: %s" % (status, name, msg), flush=True)

    def check(self, cond, name, msg):
        self.report("PASS" if cond else "FAIL", name, msg)
        return cond

    def get(self, key):
        return self.results.get(key)

    def file(self, name):
        return os.path.join(self.dir, name)

    def surfaces(self, name):
        path = self.file("surfaces-%s.txt" % name)
        if not os.path.exists(path):
            return None
        return [parse_kv(l) for l in open(path, errors="replace") if l.startswith("surface ")]

    def output_origin(self):
        path = self.file("outputs.txt")
        if os.path.exists(path):
            for line in open(path):
                if line.startswith("output "):
                    kv = parse_kv(line)
                    return int(kv.get("x", 0)), int(kv.get("y", 0))
        return 0, 0

    def picture(self, name, prime=False):
        """The still picture named name: modetest's pattern on every connector (one
        framebuffer as wide as all modes), or prime-fb's (one black buffer per connector, where
        modetest's pattern was before).

        Checked in mosaic's own screenshot and, in the DRM variant, in what QEMU's virtual
        screen shows (QMP screendump)."""
        ok = self.picture_in(name, "shot-%s.png" % name, self.file("shot-%s.png" % name), prime)
        if self.args.variant == "drm":
            dump = os.path.join(self.args.screens or "", "shot-%s.ppm" % name)
            ok = self.picture_in(name, "screendump", dump, prime) and ok
        return ok

    def picture_in(self, name, source, shot, prime=False):
        title = "picture %s [%s]" % (name, source)
        surfaces = self.surfaces(name)
        if surfaces is None or not os.path.exists(shot):
            return self.check(False, title, "no screenshot (%s) or surface list" % shot)
        try:
            img = read_image(shot)
        except Exception as e:  # noqa: BLE001 - any decoding problem is a failure to report
            return self.check(False, title, "cannot read %s: %s" % (shot, e))
        connected = sorted((s for s in surfaces if s.get("state") == "connected"
                            and s.get("visible", "yes") != "no" and s.get("output", "-") != "-"),
                           key=lambda s: (int(s["dev"]), int(s["conn"])))
        if len(connected) < 2:
            self.check(False, title, "%d connected surfaces, want 2: %s" % (
                len(connected), [s.get("label") + " " + s.get("state", "?") for s in surfaces]))
            if not connected:
                return False
        res = [tuple(int(v) for v in s["resolution"].split("x")) for s in connected]
        pattern = Pattern(sum(r[0] for r in res), max(r[1] for r in res))
        ox, oy = self.output_origin()
        ok, src_x = True, 0
        for s, r in zip(connected, res):
            box = (int(s["x"]) - ox, int(s["y"]) - oy, int(s["width"]), int(s["height"]))
            if prime:
                pattern, src_x = Black(r[0], r[1]), 0
            good, msg = compare_connector(img, box, pattern, src_x, r)
            if not good:
                msg += "; shows " + describe(img, box)
            self.check(good, "%s %s (%s at %d,%d %dx%d, fb crop x=%d)" % (
                title, s["label"], s["resolution"], box[0], box[1], box[2], box[3], src_x), msg)
            ok = ok and good
            src_x += r[0]
        return ok

    def run(self):
        a = self.args
        if not self.results:
            self.check(False, "dom0", "no results from dom0 (see serial.log)")
            self.crashes()
            return
        self.timings()
        self.check(self.get("mosaic.ready_s") not in (None, "timeout"), "mosaic started",
                   "control socket answered at %s s" % self.get("mosaic.ready_s"))
        create = self.get("create.first") or "missing"
        if not self.check(create.startswith("ok"), "xl create", create):
            self.xl_error()
        ready = self.get("guest.first.ready_s")
        self.check(ready not in (None, "timeout"), "guest booted", "ready after %s s" % ready)
        self.check((self.get("surfaces.first.connected") or "").startswith("ok"),
                   "connectors connected", self.get("surfaces.first.connected") or "missing")
        if self.step("still"):
            self.check((self.get("still.still") or "").startswith("ok"), "guest modeset",
                       self.get("still.still") or "missing")
            self.picture("still")
            self.buffers()
        self.frontend_errors()
        if self.step("flip"):
            self.flips()
        if self.step("prime"):
            self.prime()
        if self.step("input"):
            self.input()
        if self.step("reboot"):
            self.reboot()
        self.destroy()
        if self.step("bealloc"):
            self.bealloc()
        self.mosaic_health()
        self.crashes()

    def step(self, name):
        """Whether the scenario ran step name (all but bealloc in the DRM variant)."""
        if name in self.args.steps.split():
            return True
        self.report("SKIP", name, "not among this run's steps (%s)" % self.args.steps)
        return False

    def bealloc(self):
        """The guest once more with be-alloc=1: its display buffers are pages mosaic allocated
        and shares through gntalloc (the guest's kernel maps them). Shown (black: nothing can
        draw into them in a PV guest, see guest/prime-fb.c), page-flipped, and released when
        the guest is destroyed."""
        create = self.get("create.bealloc") or "missing"
        self.check(create.startswith("ok"), "be-alloc guest created", create)
        still = self.get("bealloc.still") or "missing"
        if not self.check(still.startswith("ok"), "backend-allocated buffers shown",
                          "guest's prime-fb --dumb: %s" % still):
            return
        maps = parse_kv(self.get("bealloc.maps") or "")
        self.check(maps.get("gntalloc", "0") != "0", "backend-allocated buffers are mosaic's",
                   "gntalloc mappings in mosaic while shown: %s" % (maps.get("gntalloc") or "?"))
        self.picture("bealloc", prime=True)
        flip = self.get("bealloc.flip") or "missing"
        conns = re.findall(r"conn=(\d+) n=(\d+) rate=([\d.]+) timeouts=(\d+)", flip)
        self.check(flip.startswith("ok") and len(conns) == 2 and all(
            int(n) > 0 and int(t) == 0 and float(r) <= MAX_HZ for _, n, r, t in conns),
            "backend-allocated page flips", "%s (want flips on both connectors, at most %d "
            "Hz, none waiting 3.5 s for its event)" % (flip, MAX_HZ))
        after = parse_kv(self.get("bealloc.after") or "")
        self.check(after.get("gntalloc") == "0" and after.get("gntdev") == "0",
                   "backend-allocated buffers released",
                   "after xl destroy: gntalloc %s, gntdev %s mappings left in mosaic" % (
                       after.get("gntalloc", "?"), after.get("gntdev", "?")))

    def timings(self):
        keys = ["dom0.toolstack_ready_s", "mosaic.ready_s", "create.first", "guest.first.ready_s",
                "reboot.restart", "guest.reboot.ready_s", "destroy.xl"]
        print("timings: " + "; ".join("%s %s" % (k, self.get(k)) for k in keys if self.get(k)))
        print("versions: Xen %s" % self.get("xen.version"))

    def flips(self):
        """The guest's page-flip rate, as modetest -v measures it (a "freq:" line per 60 flips).

        A backend that forgets flip events leaves the guest at 0.3 Hz (3.1 s timeout per flip);
        one that answers at once lets it run at hundreds of Hz. mosaic sends a flip's event after
        the output frame that showed it, so the guest runs at the output's frame rate: 60 Hz at
        most, less when emulation on a busy host slows the frames or the guest's round trip.
        So: never above ~60, far above the 0.3 Hz stall, and no flip waiting for the frontend's
        timeout.
        """
        flip = self.get("flip")
        if flip is None:
            return self.check(False, "flip pacing", "no flip result")
        kv = parse_kv(flip)
        freqs = freq_list(flip)
        irq = [float(f) for f in kv.get("irq_hz", "").split(",") if f]
        msg = ("guest's modetest -v frame rates (Hz): %s; vdispl interrupts/s in the guest "
               "(responses and events, per channel): %s; select timeouts %s; mosaic CPU %s" % (
                   " ".join("%.2f" % f for f in freqs) or "none",
                   " ".join("%.1f" % f for f in irq) or "?", kv.get("timeouts", "?"),
                   self.get("flip.mosaic_cpu") or "?"))
        if len(freqs) >= 2:
            rate, basis = statistics.median(freqs), "median of modetest's rates"
        elif irq:
            # Too slow for modetest to print (one line per 60 flips): the interrupts tell.
            rate, basis = max(irq), "busiest vdispl channel's interrupt rate"
        else:
            return self.check(False, "flip pacing", msg + " (no rate at all)")
        stalls = self.frame_done_timeouts()
        # Flips in the window, both connectors: each brings a response and an event interrupt.
        flips = int(sum(irq) * self.args.flip_seconds / 2)
        fast = [f for f in freqs if f > MAX_HZ] + [f for f in irq if f > MAX_HZ * 1.1]
        ok = not fast and rate >= MIN_HZ and stalls == 0 and kv.get("timeouts") == "0"
        msg += "; %s %.2f Hz (want %.1f..%d Hz), %d of about %d flips waited for the " \
            "frontend's 3.1 s timeout (want none)" % (basis, rate, MIN_HZ, MAX_HZ, stalls, flips)
        self.check(ok, "flip pacing", msg)
        if ok and rate < 55:
            print("note: below 60 Hz: the guest is paced to the output's frames, which "
                  "emulation slows down (virtio-gpu: each commit is copied by QEMU), as it "
                  "slows down the guest's own round trip%s" % (
                      "; this mosaic is a sanitizer build" if self.args.sanitized else ""))
        self.hidden_flips()

    def hidden_flips(self):
        """With no guest on screen (layout "none"), flips complete on mosaic's own 60 Hz clock,
        as soon as the guest asks when it is late: the guest's rate is 60 Hz or its own round
        trip's, whichever is lower. Under emulation on a busy host the round trip can take
        longer than a period; dom0 then tries up to three times (an emulation retry). Every
        attempt must stay at most 66 Hz with no timeouts; one must reach HIDDEN_BEST_HZ."""
        if self.get("mosaic.layouts") != "yes":
            self.report("SKIP", "flip pacing, no guest shown",
                        "this mosaic reads no layout files: nothing can hide a connector")
            return
        tries = [(k, self.results[k]) for k in sorted(self.results)
                 if re.fullmatch(r"flip\.hidden\.\d+", k)]
        if not tries:
            return self.check(False, "flip pacing, no guest shown",
                              self.get("flip.hidden") or "missing")
        msgs, fast, bad, best = [], False, False, 0.0
        for key, value in tries:
            freqs = freq_list(value)
            irq = [float(f) for f in parse_kv(value).get("irq_hz", "").split(",") if f]
            ok = value.startswith("ok") and parse_kv(value).get("timeouts") == "0" and \
                len(freqs) >= 2
            bad = bad or not ok
            fast = fast or any(f > MAX_HZ for f in freqs) or any(f > MAX_HZ * 1.1 for f in irq)
            best = max([best] + freqs)
            msgs.append("attempt %s: modetest rates %s Hz, vdispl interrupts/s %s, mosaic CPU "
                        "%s%s" % (key.rsplit(".", 1)[1],
                                  " ".join("%.1f" % f for f in freqs) or "none",
                                  " ".join("%.1f" % f for f in irq) or "?",
                                  self.get(key + ".mosaic_cpu") or "?",
                                  "" if ok else " (" + value + ")"))
        ok = not bad and not fast and best >= HIDDEN_BEST_HZ
        self.check(ok, "flip pacing, no guest shown", "; ".join(msgs) + "; best %.1f Hz "
                   "(want %d..%d: mosaic's 60 Hz grid)%s" % (
                       best, HIDDEN_BEST_HZ, MAX_HZ,
                       "" if ok or fast or bad else ": the guest's round trip stayed longer "
                       "than the grid's periods in every attempt (a busy host?)"))

    def buffers(self):
        """Who allocated the guest's display buffers: the guest (be-alloc=0: mosaic maps the
        guest's pages through gntdev) or mosaic (be-alloc=1: mosaic's own pages, shared through
        gntalloc, which the guest maps)."""
        maps = parse_kv(self.get("still.still.maps") or "")
        if self.args.be_alloc == 1:
            self.check(maps.get("gntalloc", "0") not in ("0", "?"), "backend-allocated buffers",
                       "be-alloc=1: mosaic's pages shared with the guest (gntalloc mappings "
                       "while the picture is shown): %s" % (maps.get("gntalloc") or "missing"))
        else:
            print("note: guest-allocated buffers (be-alloc=0); mosaic's mappings while the "
                  "picture is shown: gntdev %s, gntalloc %s" % (
                      maps.get("gntdev", "?"), maps.get("gntalloc", "?")))

    def prime(self):
        """PRIME: buffers the guest's vgem allocated, imported into the display (prime-fb),
        shown still, then page-flipping between two of them per connector. The buffers are
        black (a PV guest cannot draw into vgem's buffers, see prime-fb.c) and replace
        modetest's pattern: the whole box black shows the imported buffer."""
        still = self.get("prime.still")
        if self.args.be_alloc == 1:
            # Linux asks the backend to allocate an imported buffer too: refused, EINVAL.
            self.check((still or "").startswith("fail") and "Invalid argument" in still,
                       "PRIME import refused with be-alloc=1",
                       "guest's prime-fb: %s (want: the import refused: xen-drm-front sends "
                       "DBUF_CREATE with REQ_ALLOC for a dma-buf it imports)" % (
                           still or "missing"))
            return
        if not self.check((still or "").startswith("ok"), "PRIME buffers shown",
                          "guest's prime-fb: %s" % (still or "missing")):
            return
        self.picture("prime", prime=True)
        flip = self.get("prime.flip") or "missing"
        conns = re.findall(r"conn=(\d+) n=(\d+) rate=([\d.]+) timeouts=(\d+)", flip)
        ok = flip.startswith("ok") and len(conns) == 2 and all(
            int(n) > 0 and int(t) == 0 and float(r) <= MAX_HZ for _, n, r, t in conns)
        self.check(ok, "PRIME page flips", "%s (want flips on both connectors, at most %d Hz, "
                   "none waiting 3.5 s for its event)" % (flip, MAX_HZ))
        self.picture("prime-after-flip", prime=True)

    def input_events(self):
        """What evtest printed in the guest: (vkbd device, input device name, type, code, value)."""
        events = []
        for line in self.guest_log():
            m = re.search(r"E2E-GUEST evtest \S+ \[(\S*)\] \((.*?)\): Event: .*type \d+ "
                          r"\((\w+)\), code \d+ \((\w+)\), value (-?\d+)", line)
            if m:
                events.append((m.group(1), m.group(2), m.group(3), m.group(4), int(m.group(5))))
        return events

    def input(self):
        """Input through mosaic into the guest's evdev devices (xen-kbdfront).

        The scenario (dom0.sh input_check) sends KEY_B with nobody focused, gives the guest the
        focus (mosaicctl, or Super+1 typed at QEMU in the DRM variant), sends KEY_A, points at
        connector 0's (512, 384) with a left click, then at (100, 50), and touches connector 1
        at (400, 240), moving to (200, 120). vkb 0 (keyboard, absolute pointer 1024x768) serves
        connector 0, vkb 1 (multi-touch 800x480) connector 1, so the guest must see exactly
        those coordinates."""
        if self.args.input != "on":
            self.report("SKIP", "input", "mosaic has no kbdif (vinput) backend yet")
            return
        self.vkbd_connect()
        devices = self.get("input.devices") or "missing"
        self.check(devices.startswith("2 "), "input devices in mosaic",
                   "mosaicctl inputs: %s (want both vkb devices)" % devices)
        self.check((self.get("input.start") or "").startswith("ok"), "guest input devices",
                   "evtest in the guest: %s" % self.get("input.start"))
        focus = self.get("input.focus") or "missing"
        self.check(re.search(r"label=guest[: ]", focus) is not None, "input focus",
                   "mosaicctl focus after %s: %s" % (
                       "Super+1 typed at QEMU" if self.args.variant == "drm"
                       else "mosaicctl focus guest", focus))
        events = self.input_events()
        print("input events seen by the guest (%d):" % len(events))
        for e in events[:60]:
            print("    %s %s: %s %s %d" % e)
        kbd = [(c, v) for d, n, t, c, v in events if d == "vkbd-0" and t == "EV_KEY"
               and n == "Xen Virtual Keyboard"]
        self.check(kbd == [("KEY_A", 1), ("KEY_A", 0)], "input keys",
                   "guest keyboard events (code, value): %s; want KEY_A down and up only: "
                   "not KEY_B (sent with no focus)%s" % (
                       kbd or "none", ", nor Super or 1 (the focus binding)"
                       if self.args.variant == "drm" else ""))
        others = [e for e in events if e[3] in ("KEY_B", "KEY_LEFTMETA", "KEY_1")]
        self.check(not others, "input keys nowhere else",
                   "; ".join("%s %s %s %d" % (e[0], e[1], e[3], e[4]) for e in others)
                   or "no KEY_B, Super or 1 on any device")
        ptr = [(c, v) for d, n, t, c, v in events if d == "vkbd-0" and
               n == "Xen Virtual Pointer"]
        self.check(self.positions(ptr, "ABS_X", "ABS_Y", [(512, 384), (100, 50)]) and
                   ("BTN_LEFT", 1) in ptr and ("BTN_LEFT", 0) in ptr,
                   "input absolute pointer",
                   "guest pointer events: %s; want ABS_X/ABS_Y 512,384 with BTN_LEFT down and "
                   "up, then 100,50 (range 1024x768 = connector 0's size)" % (
                       self.compact(ptr) or "none"))
        mt = [(c, v) for d, n, t, c, v in events if d == "vkbd-1" and
              n == "Xen Virtual Multi-touch"]
        ids = [v for c, v in mt if c == "ABS_MT_TRACKING_ID"]
        self.check(self.positions(mt, "ABS_MT_POSITION_X", "ABS_MT_POSITION_Y",
                                  [(400, 240), (200, 120)]) and
                   len(ids) == 2 and ids[0] >= 0 and ids[-1] == -1,
                   "input touch",
                   "guest multi-touch events: %s; want a contact down at 400,240, moved to "
                   "200,120, lifted (tracking id -1); range 800x480 = connector 1's size" % (
                       self.compact(mt) or "none"))

    @staticmethod
    def positions(events, xcode, ycode, want, tol=2):
        """Whether the positions the events reach (x and y as they change) go through each of
        want in order, within tol."""
        x = y = None
        seen = []
        for c, v in events:
            if c == xcode:
                x = v
            elif c == ycode:
                y = v
            else:
                continue
            if x is not None and y is not None:
                seen.append((x, y))
        i = 0
        for px, py in seen:
            if i < len(want) and abs(px - want[i][0]) <= tol and abs(py - want[i][1]) <= tol:
                i += 1
        return i == len(want)

    @staticmethod
    def compact(events):
        return " ".join("%s=%d" % (c.replace("ABS_MT_POSITION_", "MT_").replace("ABS_", ""), v)
                        for c, v in events)

    def vkbd_connect(self):
        """The guest's xen-kbdfront must reach Connected soon after the domain starts: with no
        backend serving vinput, Linux waits 25 s at boot ("Timeout connecting to device")."""
        stalls = [l.strip() for l in self.guest_log() if "Timeout connecting to device" in l]
        times = self.vkbd_times()
        self.check(not stalls and bool(times) and all(t is not None and t < 30 for t in times),
                   "guest input devices connect",
                   "device/vkbd/N Connected after %s s (from the device's creation)%s" % (
                       ", ".join("?" if t is None else "%.1f" % t for t in times) or "never",
                       "; " + stalls[0] if stalls else ""))

    def vkbd_times(self):
        """Seconds from each device/vkbd/N's creation to its frontend state 4, from the
        XenStore trace (the guest's first boot)."""
        path = self.file("xenstore-trace.txt")
        if not os.path.exists(path):
            return []
        created, connected = {}, {}
        for line in open(path, errors="replace"):
            m = re.match(r"(\d+\.\d+) /local/domain/(\d+)/device/vkbd/(\d+)(/state)? = ?(.*)$",
                         line.rstrip("\n"))
            if not m:
                continue
            t, dom, dev, state, value = float(m.group(1)), m.group(2), m.group(3), m.group(4), \
                m.group(5)
            key = (dom, dev)
            if not state:
                created.setdefault(key, t)
            elif value == "4":
                connected.setdefault(key, t)
        first = min((k[0] for k in created), key=int, default=None)
        return [connected[k] - created[k] if k in connected else None
                for k in sorted(created) if k[0] == first]

    def frame_done_timeouts(self):
        """Flips the guest's frontend gave up waiting for (3.1 s without a flip event)."""
        return sum(1 for l in self.guest_log() if "Frame done timed-out" in l)

    def frontend_errors(self):
        """What the guest's display frontend (drm_xen_front) complained about: a request the
        backend refused, a response or flip event that did not come."""
        pats = ["Failed to enable display", "Failed to disable display", "Back failed",
                "Frame done timed-out", "Failed to send page flip", "timed out", "Backend error"]
        errors = [l.strip() for l in self.guest_log() if any(p in l for p in pats)
                  and "E2E-GUEST" not in l]
        self.check(not errors, "guest frontend quiet", "; ".join(errors[:6]) + (
            " (and %d more)" % (len(errors) - 6) if len(errors) > 6 else "") if errors
            else "no errors from drm_xen_front")

    def guest_log(self):
        lines = []
        for name in sorted(os.listdir(self.dir)):
            if name.startswith("guest-") and name.endswith(".log"):
                lines += open(self.file(name), errors="replace").read().splitlines()
        return lines

    def reboot(self):
        r = self.get("reboot.restart")
        if r is None:
            return self.check(False, "reboot", "the scenario did not get to the reboot")
        self.check(r.startswith("ok"), "reboot (xl reboot)", r)
        ready = self.get("guest.reboot.ready_s")
        self.check(ready not in (None, "timeout"), "guest booted again", "ready after %s s" % ready)
        self.check((self.get("still.after-reboot") or "").startswith("ok"), "guest modeset again",
                   self.get("still.after-reboot") or "missing")
        self.picture("after-reboot")

    def destroy(self):
        before = self.get("destroy.before")
        if before is None:
            return self.check(False, "destroy", "the scenario did not get to xl destroy")
        self.check((self.get("destroy.xl") or "").startswith("status=0"), "xl destroy",
                   self.get("destroy.xl") or "missing")
        surfaces = self.surfaces("after-destroy") or []
        states = ["%s %s" % (s.get("label"), s.get("state")) for s in surfaces]
        self.check(bool(surfaces) and all(s.get("state") == "absent" for s in surfaces),
                   "placeholders after destroy", ", ".join(states) or "no surfaces listed")
        shots = [("mosaicctl", self.file("shot-after-destroy.png"))]
        if self.args.variant == "drm":
            shots.append(("screendump", os.path.join(self.args.screens or "",
                                                     "shot-after-destroy.ppm")))
        for source, img_path in shots:
            if not surfaces or not os.path.exists(img_path):
                self.check(False, "placeholder picture [%s]" % source, "no %s" % img_path)
                continue
            img = read_image(img_path)
            ox, oy = self.output_origin()
            for s in surfaces:
                if s.get("visible", "yes") == "no" or s.get("output", "-") == "-":
                    continue
                box = (int(s["x"]) - ox, int(s["y"]) - oy, int(s["width"]), int(s["height"]))
                good, msg = placeholder_in(img, box)
                self.check(good, "placeholder picture [%s] %s domid %s" % (
                    source, s["label"], s["domid"]), msg)

        maps_before = parse_kv(before).get("gntdev_maps", "?")
        after_kv = parse_kv(self.get("destroy.after") or "")
        after = after_kv.get("gntdev_maps", "?")
        self.check(after == "0" and after_kv.get("gntalloc_maps", "?") == "0",
                   "grant mappings released",
                   "in mosaic's /proc/PID/maps: gntdev %s before xl destroy, %s after; gntalloc "
                   "%s before, %s after" % (
                       maps_before, after, parse_kv(before).get("gntalloc_maps", "?"),
                       after_kv.get("gntalloc_maps", "?")))
        if maps_before in ("0", "?"):
            self.report("FAIL", "grant mappings seen", "no gntdev mapping before destroy: the "
                        "release check proves nothing")
        self.check(self.get("destroy.xl_list") == "gone", "domain gone",
                   "xl list: %s" % self.get("destroy.xl_list"))
        self.check(self.get("destroy.backend_dirs") == "none", "backend directories removed",
                   self.get("destroy.backend_dirs") or "missing")

    def mosaic_health(self):
        died = [k for k in self.results if k.startswith("mosaic.died")]
        self.check(not died, "mosaic alive throughout",
                   "; ".join("%s %s" % (k, self.results[k]) for k in died) or "yes")
        self.check(self.get("mosaic.exit") == "status=0", "mosaic exit on SIGTERM",
                   self.get("mosaic.exit") or "missing")
        log = self.file("mosaic.log")
        if os.path.exists(log):
            lines = open(log, errors="replace").read().splitlines()
            errors = [l for l in lines if "[ERROR]" in l or "ERROR:" in l]
            san = [l for l in lines if "AddressSanitizer" in l or "runtime error:" in l
                   or "LeakSanitizer" in l]
            self.check(not san, "sanitizers quiet", san[0] if san else "no reports")
            print("mosaic log: %d lines, %d error lines%s" % (len(lines), len(errors),
                  "" if not errors else ":"))
            for l in errors[:20]:
                print("    " + l)

    def xl_error(self):
        path = self.file("xl-create-first.log")
        if os.path.exists(path):
            for l in open(path, errors="replace").read().splitlines()[-10:]:
                print("    xl: " + l)

    def crashes(self):
        if not self.args.serial or not os.path.exists(self.args.serial):
            return
        text = open(self.args.serial, errors="replace").read()
        for pat in ("Kernel panic", "BUG:", "Panic on CPU", "general protection fault"):
            if pat in text:
                i = text.index(pat)
                self.report("FAIL", "serial console", "%r: %s" % (
                    pat, text[i:i + 200].replace("\n", " | ")))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--serial")
    p.add_argument("--variant", default="headless")
    p.add_argument("--screens", help="QMP screendumps (DRM variant)")
    p.add_argument("--sanitized", action="store_true", help="mosaic is an ASan/UBSan build")
    p.add_argument("--input", default="off")
    p.add_argument("--flip-seconds", type=int, default=10)
    p.add_argument("--be-alloc", type=int, default=0)
    p.add_argument("--steps", default="still flip prime input reboot bealloc")
    p.add_argument("--picture", nargs=2, metavar=("NAME", "DIR"),
                   help="only compare the still picture NAME in DIR (for development)")
    args = p.parse_args()
    judge = Judge(args)
    if args.picture:
        judge.dir = args.picture[1]
        judge.picture(args.picture[0])
    else:
        judge.run()
    if judge.failed:
        print("e2e-xen: FAIL (%d checks failed)" % judge.failed)
        return 1
    print("e2e-xen: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
