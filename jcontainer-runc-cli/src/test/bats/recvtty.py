#!/usr/bin/env python3
# recvtty.py: what runc's contrib/cmd/recvtty does in its "null" mode, for runc's bats suite run
# against jcontainer-runc (the suite's own recvtty is a Go program of runc's source tree, not
# built here). Listens on a unix socket for --console-socket connections; each brings one pty
# master as SCM_RIGHTS (the bytes name the file); its output is read and dropped until the
# terminal closes. Writes --pid-file once listening. Runs until killed.
import argparse, array, os, socket, sys, threading

ap = argparse.ArgumentParser()
ap.add_argument("--pid-file")
ap.add_argument("--mode", default="null", choices=["null"])
ap.add_argument("socket")
a = ap.parse_args()

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(a.socket)
s.listen(16)
if a.pid_file:
    tmp = a.pid_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(os.getpid()))
    os.rename(tmp, a.pid_file)

def drain(master):
    try:
        while os.read(master, 65536):
            pass
    except OSError:
        pass  # EIO: every slave is closed
    finally:
        os.close(master)

while True:
    c, _ = s.accept()
    fds = array.array("i")
    try:
        msg, anc, _, _ = c.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    finally:
        c.close()
    for fd in fds:
        threading.Thread(target=drain, args=(fd,), daemon=True).start()
