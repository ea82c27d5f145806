#!/usr/bin/env python3
"""The systemd unit meson builds and installs (systemd/mosaic.service.in).

    test-service-unit.py UNIT UNITDIR EXEC_START BUILT_MOSAIC INTRO_INSTALLED_JSON

Checks that it is a Type=notify service with a watchdog, that it starts the
installed mosaic, that it is ordered after XenStore and dom0's setup and
before the guests started at boot (xendomains), that meson installs it into
UNITDIR, and that systemd-analyze finds nothing wrong with it (where there
is one), started from BUILT_MOSAIC.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def parse(path):
    """{section: {key: [values...]}}; a key may be given more than once, values split on spaces."""
    sections, section = {}, None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            if line.startswith('['):
                section = sections.setdefault(line.strip('[]'), {})
                continue
            key, _, value = line.partition('=')
            section.setdefault(key.strip(), []).append(value.strip())
    return sections


def words(section, key):
    return [w for value in section.get(key, []) for w in value.split()]


def main():
    unit, unitdir, exec_start, built, installed = sys.argv[1:6]
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    u = parse(unit)
    service, unit_s, install = u.get('Service', {}), u.get('Unit', {}), u.get('Install', {})
    check(service.get('Type') == ['notify'], 'Type=notify')
    check(service.get('NotifyAccess') == ['main'], 'NotifyAccess=main')
    check(len(service.get('WatchdogSec', [])) == 1, 'WatchdogSec=')
    check(service.get('ExecStart') == [exec_start], f'ExecStart={exec_start}: {service.get("ExecStart")}')
    check(any('-HUP' in v for v in service.get('ExecReload', [])), 'ExecReload sends SIGHUP')
    check(service.get('Restart') == ['on-failure'], 'Restart=on-failure')
    after = words(unit_s, 'After')
    for dep in ('xenstored.service', 'xen-init-dom0.service', 'xen.service', 'proc-xen.mount'):
        check(dep in after, f'After={dep}')
    check('xendomains.service' in words(unit_s, 'Before'), 'Before=xendomains.service')
    check(install.get('WantedBy') == ['multi-user.target'], 'WantedBy=multi-user.target')

    with open(installed, encoding='utf-8') as f:
        where = json.load(f).get(os.path.abspath(unit))
    check(where == os.path.join(unitdir, 'mosaic.service'),
          f'installed to {where}, not {unitdir}/mosaic.service')

    analyze = shutil.which('systemd-analyze')
    if analyze is not None:
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, 'mosaic.service')
            with open(unit, encoding='utf-8') as f:
                text = f.read().replace(f'ExecStart={exec_start}\n', f'ExecStart={built}\n')
            with open(copy, 'w', encoding='utf-8') as f:
                f.write(text)
            # The man page is installed with the docs, not in the build tree.
            r = subprocess.run([analyze, 'verify', '--man=no', copy], capture_output=True,
                               text=True, check=False)
            check(r.returncode == 0 and r.stderr.strip() == '',
                  f'systemd-analyze verify: {r.returncode} {r.stderr.strip()}')

    for f in failures:
        print(f'FAIL: {f}', file=sys.stderr)
    if failures:
        return 1
    print('service-unit: ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
