#!/usr/bin/env python3
"""The include check: a file includes only headers of its own target or of a target its
target links (directly or through others), and LLVM, TBB and MPI headers only where the
architecture allows them (docs/architecture.md).

  include_check.py TARGETS.dot [ROOT]

TARGETS.dot is CMake's target graph of a configured build (`cmake --graphviz=TARGETS.dot
BUILD`); ROOT is the repository (default: this script's folder's parent). Every source
folder is one target, named by the first library or executable its CMakeLists.txt makes. A
target that uses another's headers without linking it (an interface it implements, or a
module whose calls resolve against the lmc that loads it) says so in its CMakeLists.txt, on
a line `# Headers only from: lmc_a lmc_b`. A folder whose CMakeLists.txt opens with "# A
dialect:" is one of lmc serve's API dialects (tools/serve/): it includes no other dialect's
header, whatever the links say, so that what two dialects share sits below both. Prints
"file:line: message" for each violation and exits 1 if there is any.
"""
import os
import re
import sys

SOURCE_ROOTS = ('support', 'jinja', 'ir', 'passes', 'codegen', 'runtime', 'models', 'driver', 'structured', 'tools')
SOURCE_EXT = ('.cpp', '.h')
TARGET_DECL = re.compile(r'^\s*(?:lmc_library|lmc_codegen_part|lmc_serve_part|add_library|add_executable)\((\w+)', re.M)
HEADERS_ONLY = re.compile(r'^# Headers only from: (.+)$', re.M)
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')
DIALECT = re.compile(r'\A# A dialect:')
EDGE = re.compile(r'//\s*(\S+)\s*->\s*(\S+)\s*$')

# Angle-bracket includes a folder (and its subfolders) alone may use.
RESTRICTED = [
    (re.compile(r'^llvm(-c)?/'), ('codegen/llvm', 'codegen/loader'), 'an LLVM header'),
    (re.compile(r'^(tbb/|tbb\.h$|oneapi/tbb)'), ('runtime',), 'a TBB header'),
    (re.compile(r'^mpi\.h$'), ('runtime/mpi',), 'an MPI header'),
]


def folder_targets(root):
    """{folder: (target, [targets whose headers it uses without linking], whether it is a dialect)}."""
    folders = {}
    for top in SOURCE_ROOTS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            if 'CMakeLists.txt' not in filenames:
                continue
            text = open(os.path.join(dirpath, 'CMakeLists.txt')).read()
            decl = TARGET_DECL.search(text)
            if decl:
                extra = [t for m in HEADERS_ONLY.finditer(text) for t in m.group(1).split()]
                folders[os.path.relpath(dirpath, root)] = (decl.group(1), extra, bool(DIALECT.match(text)))
    return folders


def link_graph(dot_file):
    deps = {}
    for line in open(dot_file):
        m = EDGE.search(line)
        if m:
            deps.setdefault(m.group(1), set()).add(m.group(2))
    return deps


def closure(deps, start):
    seen, todo = set(), [start]
    while todo:
        t = todo.pop()
        if t not in seen:
            seen.add(t)
            todo.extend(deps.get(t, ()))
    return seen


def owner(path, folders):
    """The folder (a target) that holds path: the folder itself, not a parent's."""
    return os.path.dirname(path) if os.path.dirname(path) in folders else None


def check_file(root, path, folders, deps, problems):
    folder = owner(path, folders)
    if folder is None:
        problems.append(f'{path}:1: its folder has no CMakeLists.txt naming a target')
        return
    target, headers_only, dialect = folders[folder]
    reachable = closure(deps, target)
    for extra in headers_only:
        reachable |= closure(deps, extra)
    with open(os.path.join(root, path), errors='replace') as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, inc = m.groups()
            if kind == '<':
                for pattern, allowed, what in RESTRICTED:
                    if pattern.search(inc) and not any(folder == a or folder.startswith(a + '/') for a in allowed):
                        problems.append(f'{path}:{n}: {what} ({inc}) outside {" and ".join(allowed)}')
                continue
            header_folder = os.path.dirname(inc)
            if not os.path.exists(os.path.join(root, inc)) or header_folder not in folders:
                continue  # a test's or a generated header, checked by the compiler
            header_target, _, header_dialect = folders[header_folder]
            if dialect and header_dialect and header_folder != folder:
                problems.append(f'{path}:{n}: the dialect {folder} includes {inc} of the dialect {header_folder} '
                                f'(what dialects share goes in a folder below them)')
                continue
            if header_target not in reachable:
                problems.append(f'{path}:{n}: includes {inc} of {header_target}, which {target} does not link '
                                f'(add it to {folder}/CMakeLists.txt)')


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = sys.argv[2] if len(sys.argv) == 3 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folders = folder_targets(root)
    deps = link_graph(sys.argv[1])
    problems = []
    for top in SOURCE_ROOTS:
        for dirpath, _, filenames in os.walk(os.path.join(root, top)):
            for name in sorted(filenames):
                if name.endswith(SOURCE_EXT):
                    check_file(root, os.path.relpath(os.path.join(dirpath, name), root), folders, deps, problems)
    for p in problems:
        print(p)
    print(f'include check: {len(folders)} targets, {len(problems)} problems', file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
