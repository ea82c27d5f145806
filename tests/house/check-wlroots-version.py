#!/usr/bin/env python3
"""Only compositor/wlr_compat.h knows which wlroots mosaic is built with.

Everywhere else in the product and its tests: no test of wlroots' version
(WLR_VERSION_*, the shim's MOSAIC_WLR_* switch) and no wlroots version named
in code or comments. The build file is the one other place: it looks the
library up by its pkg-config name, which carries the version from 0.18 on.

    check-wlroots-version.py SOURCE_ROOT        checks the tree
    check-wlroots-version.py --self-test ROOT   checks that a version test and
                                                a named version in a copy of
                                                the tree fail
"""
import os
import re
import shutil
import sys
import tempfile

DIRS = ('compositor', 'vm-surfaces', 'input-routing', 'layouts', 'protocol', 'mosaicctl', 'tests')
SHIM = os.path.join('compositor', 'wlr_compat.h')
SWITCH = re.compile(r'\bWLR_VERSION_\w+|\bMOSAIC_WLR_\w+')
NAMED = re.compile(r'wlroots[\s\'"-]*(?:0\.)?1[5-9]\b|\bwlroots[^.\n]{0,40}\b0\.1[5-9]\b|'
                   r'\b(?:in|on|since|before|from) 0\.1[5-9]\b')


def problems(root):
    found = []
    for top in DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith(('.c', '.h', '.py', '.build')):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if rel == SHIM or rel == os.path.join('tests', 'house', 'check-wlroots-version.py'):
                    continue
                with open(path, encoding='utf-8') as f:
                    for number, line in enumerate(f, 1):
                        for rule, what in ((SWITCH, 'tests the wlroots version'),
                                           (NAMED, 'names a wlroots version')):
                            m = rule.search(line)
                            if m:
                                found.append(f'{rel}:{number}: {what} ({m.group(0)}); '
                                             f'only {SHIM} may')
    return found


def self_test(root):
    cases = [
        ('compositor/output.c', '#if WLR_VERSION_MINOR >= 18\n#endif\n'),
        ('vm-surfaces/buffer.c', '/* wlroots 0.15 cannot do this. */\n'),
        ('tests/unit/test-arrange.c', '/* Not in 0.18: */\n'),
    ]
    ok = not problems(root)
    for rel, text in cases:
        with tempfile.TemporaryDirectory() as tmp:
            for top in DIRS:
                shutil.copytree(os.path.join(root, top), os.path.join(tmp, top),
                                ignore=shutil.ignore_patterns('*.png', '*.o'))
            with open(os.path.join(tmp, rel), 'a', encoding='utf-8') as f:
                f.write(text)
            if not problems(tmp):
                print(f'self-test: {text.strip()!r} in {rel} was not found')
                ok = False
    print('wlroots-version self-test: ' + ('ok' if ok else 'FAILED'))
    return 0 if ok else 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--self-test':
        return self_test(sys.argv[2])
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    found = problems(sys.argv[1])
    for p in found:
        print(p)
    print(f'wlroots-version: {len(found)} problems' if found else 'wlroots-version: ok')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
