#!/usr/bin/env python3
"""The house's rules on includes (README, "The house").

Between rooms, includes point one way:
    compositor -> vm-surfaces, input-routing, layouts -> protocol
    input-routing -> layouts (the transforms), mosaicctl -> protocol
Inside a room, modules (a .c and its .h, by path) include each other in no
circle: what happens below is told upward by signals. protocol/ and layouts/
use no wlroots. compositor/wlr_compat.h, the wlroots version shim, is a
platform header: any room that may use wlroots may include it.

    check-includes.py SOURCE_ROOT         checks the tree
    check-includes.py --self-test ROOT    checks that an upward include and a
                                          circle in a copy of the tree fail
"""
import os
import re
import shutil
import sys
import tempfile

ROOMS = {
    'compositor': {'vm-surfaces', 'input-routing', 'layouts', 'protocol'},
    'vm-surfaces': {'protocol'},
    'input-routing': {'layouts', 'protocol'},
    'layouts': {'protocol'},
    'mosaicctl': {'protocol'},
    'protocol': set(),
}
# System headers a room must not use.
FORBIDDEN = {
    'protocol': ('wlr/',),
    'layouts': ('wlr/',),
    'mosaicctl': ('wlr/',),
}
# Headers every room that may use wlroots may include.
PLATFORM = {'compositor/wlr_compat.h'}
INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]')


def modules(root):
    """{module: set of modules it includes}, and the problems found on the way."""
    edges, problems = {}, []
    for room in ROOMS:
        top = os.path.join(root, room)
        for dirpath, _, files in os.walk(top):
            for name in sorted(files):
                if not name.endswith(('.c', '.h')):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                mod = os.path.splitext(rel)[0]
                deps = edges.setdefault(mod, set())
                with open(path, encoding='utf-8') as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if m is None:
                            continue
                        kind, target = m.groups()
                        where = f'{rel}:{number}'
                        if kind == '<':
                            for prefix in FORBIDDEN.get(room, ()):
                                if target.startswith(prefix):
                                    problems.append(f'{where}: {room}/ uses no <{prefix}...>: <{target}>')
                            continue
                        to_room = target.split('/')[0]
                        if to_room not in ROOMS:
                            continue
                        if target in PLATFORM and room not in FORBIDDEN:
                            continue
                        if to_room != room and to_room not in ROOMS[room]:
                            problems.append(f'{where}: {room}/ may not include {target} '
                                            f'({room} -> {to_room} goes up or sideways)')
                        dep = os.path.splitext(target)[0]
                        if dep != mod:
                            deps.add(dep)
    return edges, problems


def circles(edges):
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def check(root):
    edges, problems = modules(root)
    for group in circles(edges):
        problems.append('modules include each other in a circle: ' + ' <-> '.join(group))
    return problems


def self_test(root):
    """The check must fail on an upward include and on a circle."""
    cases = [
        ('protocol/control.c', '#include "compositor/server.h"\n', 'goes up'),
        ('compositor/label.c', '#include "compositor/view.h"\n', 'circle'),
        ('protocol/control.c', '#include <wlr/util/log.h>\n', 'uses no'),
    ]
    failures = 0
    for path, line, expect in cases:
        with tempfile.TemporaryDirectory() as tmp:
            for room in ROOMS:
                if os.path.isdir(os.path.join(root, room)):
                    shutil.copytree(os.path.join(root, room), os.path.join(tmp, room))
            with open(os.path.join(tmp, path), 'a', encoding='utf-8') as f:
                f.write(line)
            problems = check(tmp)
            if not any(expect in p for p in problems):
                print(f'self-test: adding {line.strip()} to {path} was not reported')
                failures += 1
    return failures


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--self-test':
        failures = self_test(sys.argv[2])
        print('includes self-test:', 'ok' if failures == 0 else f'{failures} failed')
        return 1 if failures else 0
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(sys.argv[1])
    for p in problems:
        print(p)
    print('includes:', 'ok' if not problems else f'{len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
