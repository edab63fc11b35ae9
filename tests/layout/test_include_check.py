#!/usr/bin/env python3
"""The include check's rules (scripts/include_check.py) on a small tree of its own: a header
of a target the includer does not link is refused, and a dialect of lmc serve including
another dialect's header is refused even when it links it; the same tree without the offence
passes. Exits 1 naming the rule that did not hold."""
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts', 'include_check.py')


def write(root, path, text):
    os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
    with open(os.path.join(root, path), 'w') as f:
        f.write(text)


def run(folders, links, includes):
    """The check's output on a tree of `folders` ({path: first CMakeLists line}), the target
    graph `links` ([(from, to)]) and `includes` ({file: header}); target names are folders'
    last parts."""
    with tempfile.TemporaryDirectory() as root:
        for folder, first_line in folders.items():
            write(root, f'{folder}/CMakeLists.txt', f'{first_line}\nlmc_serve_part({os.path.basename(folder)})\n')
            write(root, f'{folder}/{os.path.basename(folder)}.h', '#pragma once\n')
        for path, header in includes.items():
            write(root, path, f'#include "{header}"\n')
        dot = os.path.join(root, 'targets.dot')
        with open(dot, 'w') as f:
            f.writelines(f'  "n{a}" -> "n{b}"  // {a} -> {b}\n' for a, b in links)
        r = subprocess.run([sys.executable, CHECK, dot, root], capture_output=True, text=True)
        return r.returncode, r.stdout


def main():
    dialects = {'tools/serve/alpha': '# A dialect: the first', 'tools/serve/beta': '# A dialect: the second',
                'tools/serve/base': '# What both share'}
    failures = []
    code, out = run(dialects, [('alpha', 'base')], {'tools/serve/alpha/a.cpp': 'tools/serve/base/base.h'})
    if code != 0:
        failures.append(f'a dialect including what it links below it was refused:\n{out}')
    code, out = run(dialects, [], {'tools/serve/alpha/a.cpp': 'tools/serve/base/base.h'})
    if code != 1 or 'does not link' not in out:
        failures.append(f'a header of a target not linked was let through:\n{out}')
    code, out = run(dialects, [('alpha', 'beta')], {'tools/serve/alpha/a.cpp': 'tools/serve/beta/beta.h'})
    if code != 1 or 'the dialect tools/serve/alpha includes tools/serve/beta/beta.h' not in out:
        failures.append(f'a dialect including another dialect was let through:\n{out}')
    plain = dict(dialects, **{'tools/serve/beta': '# Not a dialect'})
    code, out = run(plain, [('alpha', 'beta')], {'tools/serve/alpha/a.cpp': 'tools/serve/beta/beta.h'})
    if code != 0:
        failures.append(f'a dialect including a linked folder that is no dialect was refused:\n{out}')
    for f in failures:
        print(f)
    print(f'include check rules: {4 - len(failures)} of 4 held')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
