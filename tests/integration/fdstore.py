#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fdstore.py - the part of a service manager that proclens relies on to
survive a crash, as systemd implements it (sd_notify(3) FDSTORE=1 and
FDSTOREREMOVE=1, sd_listen_fds(3) LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES;
systemd.service(5) FileDescriptorStoreMax=). No systemd runs on the test
machines, so this plays its part, and no more:

    fdstore.py STATUS_FILE -- COMMAND...

It listens on a notify socket, starts COMMAND with NOTIFY_SOCKET set, and
keeps the descriptors any process sends it, by name (a later one replaces an
earlier one of the same name, FDSTOREREMOVE drops one, a descriptor that
reports POLLERR or POLLHUP is dropped, as systemd does). After each message
it writes the names it holds, one line, to STATUS_FILE. On SIGUSR1 it starts
COMMAND again with the stored descriptors at 3, 4, ... and LISTEN_* set for
that process, as systemd does on a restart. SIGTERM ends it.
"""
import os
import select
import signal
import socket
import sys
import tempfile

status_file = sys.argv[1]
command = sys.argv[3:]
stored = {}  # name -> fd, in the order stored
restart = False


def write_status():
    tmp = status_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(" ".join(stored) + "\n")
    os.rename(tmp, status_file)


def start():
    names = list(stored)
    pid = os.fork()
    if pid == 0:
        fds = [stored[n] for n in names]
        # Out of the way of 3, 4, ..., then into place.
        high = [os.dup(fd) for fd in fds]
        for i, fd in enumerate(high):
            os.dup2(fd, 3 + i, inheritable=True)
        env = dict(os.environ)
        if names:
            env["LISTEN_PID"] = str(os.getpid())
            env["LISTEN_FDS"] = str(len(names))
            env["LISTEN_FDNAMES"] = ":".join(names)
        os.closerange(3 + len(names), 1024)
        os.execvpe(command[0], command, env)
    os.waitpid(pid, 0)  # the starting process returns once the daemon serves


def on_usr1(signum, frame):
    global restart
    restart = True


def main():
    global restart
    sock_dir = tempfile.mkdtemp(prefix="proclens-fdstore.")
    path = os.path.join(sock_dir, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.environ["NOTIFY_SOCKET"] = path
    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))
    write_status()
    start()
    try:
        while True:
            if restart:
                restart = False
                start()
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            for fd in stored.values():
                poller.register(fd, 0)
            try:
                events = poller.poll(200)
            except InterruptedError:
                continue
            for fd, event in events:
                if fd == sock.fileno():
                    msg, fds, _, _ = socket.recv_fds(sock, 4096, 16)
                    fields = dict(line.split("=", 1)
                                  for line in msg.decode().splitlines() if "=" in line)
                    name = fields.get("FDNAME", "stored")
                    if fields.get("FDSTORE") == "1":
                        for new in fds:
                            if name in stored:
                                os.close(stored.pop(name))
                            stored[name] = new
                    elif fields.get("FDSTOREREMOVE") == "1" and name in stored:
                        os.close(stored.pop(name))
                    write_status()
                elif event & (select.POLLERR | select.POLLHUP):
                    for name, held in list(stored.items()):
                        if held == fd:
                            os.close(stored.pop(name))
                    write_status()
    finally:
        os.unlink(path)
        os.rmdir(sock_dir)


main()
