package io.jcontainer.linux.sys;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fake kernel for tests without root: records every call as a comparable string, hands out
 * descriptor numbers, and fails a chosen call with a chosen errno. {@link #openFds()} shows
 * what the code under test forgot to close.
 */
public final class RecordingSyscalls implements Syscalls {
    public final List<String> calls = new ArrayList<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final Set<Integer> open = new HashSet<>();
    private int nextFd = 10, nextPid = 1000;
    private int euid = 1000, egid = 1000;

    /** The next call named {@code call} (e.g. "spawn") fails with {@code errno}. */
    public RecordingSyscalls failNext(String call, int errno) {
        failures.put(call, errno);
        return this;
    }

    public RecordingSyscalls asUser(int uid, int gid) {
        euid = uid;
        egid = gid;
        return this;
    }

    public Set<Integer> openFds() {
        return Set.copyOf(open);
    }

    private synchronized void record(String call, String text) {
        calls.add(text);
        Integer errno = failures.remove(call);
        if (errno != null) throw new SyscallException(call.equals("spawn") ? "posix_spawn" : call, errno, null);
    }

    private synchronized int fd() {
        int fd = nextFd++;
        open.add(fd);
        return fd;
    }

    @Override public int memfdCreate(String name) { record("memfd_create", "memfd_create " + name); return fd(); }
    @Override public void sealAll(int fd) { record("seal", "seal " + fd); }
    @Override public int open(String path, int flags, int mode) { record("open", "open " + path); return fd(); }
    @Override public synchronized void close(int fd) {
        record("close", "close " + fd);
        if (!open.remove(fd)) throw new SyscallException("close", Errno.EBADF, "fd " + fd);
    }
    @Override public int read(int fd, byte[] buf, int off, int len) { record("read", "read " + fd); return 0; }
    @Override public boolean isatty(int fd) { record("isatty", "isatty " + fd); return true; }
    @Override public byte[] tcgetattr(int fd) { record("tcgetattr", "tcgetattr " + fd); return new byte[]{'c', 'o', 'o', 'k'}; }
    @Override public void tcsetattr(int fd, byte[] t) { record("tcsetattr", "tcsetattr " + fd + " " + new String(t)); }
    @Override public byte[] cfmakeraw(byte[] t) { record("cfmakeraw", "cfmakeraw"); return new byte[]{'r', 'a', 'w'}; }
    @Override public int[] windowSize(int fd) { record("winsize", "winsize " + fd); return new int[]{24, 80}; }
    @Override public void write(int fd, byte[] buf, int off, int len) { record("write", "write " + fd + " " + len); }
    @Override public int[] socketpair() { record("socketpair", "socketpair"); return new int[]{fd(), fd()}; }
    @Override public int[] seqpacketPair() { record("socketpair", "socketpair seqpacket"); return new int[]{fd(), fd()}; }
    @Override public void sendFds(int sock, byte[] data, int[] fds) { record("sendmsg", "sendmsg " + sock + " " + java.util.Arrays.toString(fds)); }
    @Override public int[] pipe() { record("pipe", "pipe"); return new int[]{fd(), fd()}; }
    /** Every spawned argv, in order. */
    public final List<List<String>> spawned = new ArrayList<>();
    /** The exit status waitPid reports (CLD_EXITED with it). */
    public int exitStatus = 0;
    /** Files the fake kernel serves to readFile and links to readlink (/proc, /sys); others are ENOENT. */
    public final Map<String, String> files = new HashMap<>(), links = new HashMap<>();

    @Override public synchronized int spawn(String path, int[] fds, List<String> argv, List<String> env) {
        record("spawn", "spawn " + path + " " + java.util.Arrays.toString(fds));
        spawned.add(List.copyOf(argv));
        return nextPid++;
    }
    @Override public WaitStatus waitPid(int pid, boolean noHang) { record("waitid", "waitid " + pid); return new WaitStatus(pid, WaitStatus.CLD_EXITED, exitStatus); }
    @Override public byte[] readFile(String path) {
        record("open", "read_file " + path);
        String s = files.get(path);
        if (s == null) throw new SyscallException("open", Errno.ENOENT, path);
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    @Override public String readlink(String path) {
        record("readlink", "readlink " + path);
        String s = links.get(path);
        if (s == null) throw new SyscallException("readlink", Errno.ENOENT, path);
        return s;
    }
    @Override public void kill(int pid, int signal) { record("kill", "kill " + pid + " " + signal); }
    /**
     * Netlink: every message sent, and how the fake kernel answers one (default: an ack). The
     * answers to a request are queued when it is sent and handed out one datagram per receive.
     */
    public final List<byte[]> netlinkSent = new ArrayList<>();
    public java.util.function.Function<byte[], List<byte[]>> netlinkAnswer = req -> List.of(ack(req, 0));
    private final java.util.ArrayDeque<byte[]> netlinkReplies = new java.util.ArrayDeque<>();

    @Override public int netlinkSocket(int protocol, int timeoutMillis) { record("socket", "socket netlink " + protocol); return fd(); }
    @Override public synchronized void netlinkSend(int fd, byte[] message) {
        record("sendto", "netlink_send " + fd + " " + message.length);
        netlinkSent.add(message.clone());
        netlinkReplies.addAll(netlinkAnswer.apply(message));
    }
    @Override public synchronized int netlinkReceive(int fd, byte[] buf) {
        record("recv", "netlink_recv " + fd);
        byte[] r = netlinkReplies.poll();
        if (r == null) throw new SyscallException("recv", 110 /* ETIMEDOUT */, "netlink fd " + fd);
        System.arraycopy(r, 0, buf, 0, r.length);
        return r.length;
    }

    /** A message of {@code type} with {@code body} after the header, answering {@code request} (same seq). */
    public static byte[] reply(byte[] request, int type, int flags, byte[] body) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + body.length).order(java.nio.ByteOrder.nativeOrder());
        b.putInt(16 + body.length).putShort((short) type).putShort((short) flags)
                .putInt(java.nio.ByteBuffer.wrap(request).order(java.nio.ByteOrder.nativeOrder()).getInt(8)).putInt(0).put(body);
        return b.array();
    }

    /** An NLMSG_ERROR answering {@code request} with {@code error} (0: an ack), without extended ack. */
    public static byte[] ack(byte[] request, int error) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + 4 + 16).order(java.nio.ByteOrder.nativeOrder());
        java.nio.ByteBuffer req = java.nio.ByteBuffer.wrap(request).order(java.nio.ByteOrder.nativeOrder());
        b.putInt(36).putShort((short) 2).putShort((short) 0x100 /* capped */).putInt(req.getInt(8)).putInt(0);
        b.putInt(error);
        b.put(request, 0, 16);
        return b.array();
    }

    @Override public void setns(int fd, int nstype) { record("setns", "setns " + fd + " " + Integer.toHexString(nstype)); }
    @Override public void unshare(int flags) { record("unshare", "unshare " + Integer.toHexString(flags)); }
    @Override public void probeBind(byte[] hostIp, int port, boolean udp) { record("bind", "bind " + (udp ? "udp " : "tcp ") + port); }
    @Override public int geteuid() { return euid; }
    @Override public int getegid() { return egid; }
    @Override public int epollCreate() { record("epoll_create1", "epoll_create1"); return fd(); }
    @Override public void epollAdd(int epfd, int fd, long data) { record("epoll_ctl", "epoll_add " + fd); }
    @Override public void epollDelete(int epfd, int fd) { record("epoll_ctl", "epoll_del " + fd); }
    @Override public int epollWait(int epfd, long[] out, int timeoutMillis) {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
    @Override public int eventfd() { record("eventfd", "eventfd"); return fd(); }
}
