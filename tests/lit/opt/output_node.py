"""Runs a command whose output is a FIFO or a character device made for it, and checks the
node is still one after (support/output_path.h: lmc writes into such a node, never renames a
file over it) and that nothing was left beside it. A FIFO's bytes are printed, for FileCheck.

usage: output_node.py fifo|device NODE -- COMMAND [ARGS...]

The device is /dev/null's (1, 3), made with mknod, so the test needs root (REQUIRES: root).
Exits with the command's status, or 1 when the node changed.
"""
import os
import select
import stat
import subprocess
import sys
import threading


def make(kind, node):
    if os.path.lexists(node):
        os.remove(node)
    if kind == "fifo":
        os.mkfifo(node, 0o600)
    else:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))


def drain(fd, chunks, done):
    # Non-blocking from before the command starts: a command that never opens the FIFO
    # cannot hang the test.
    while True:
        finished = done.is_set()
        select.select([fd], [], [], 0.02)
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            data = b""
        if data:
            chunks.append(data)
        elif finished:
            return


def main():
    kind, node, dashes, *command = sys.argv[1:]
    if kind not in ("fifo", "device") or dashes != "--" or not command:
        sys.exit(__doc__)
    make(kind, node)
    before = set(os.listdir(os.path.dirname(node) or "."))
    chunks, done = [], threading.Event()
    reader = None
    if kind == "fifo":
        fd = os.open(node, os.O_RDONLY | os.O_NONBLOCK)
        reader = threading.Thread(target=drain, args=(fd, chunks, done))
        reader.start()
    status = subprocess.call(command)
    done.set()
    if reader:
        reader.join()
        os.close(fd)
    mode = os.lstat(node).st_mode
    want = stat.S_ISFIFO if kind == "fifo" else stat.S_ISCHR
    if not want(mode):
        sys.exit(f"output_node.py: {node} is no longer a {kind} (mode {oct(mode)})")
    left = set(os.listdir(os.path.dirname(node) or ".")) - before
    if left:
        sys.exit(f"output_node.py: the command left {sorted(left)} beside {node}")
    sys.stdout.buffer.write(b"".join(chunks))
    sys.exit(status)


if __name__ == "__main__":
    main()
