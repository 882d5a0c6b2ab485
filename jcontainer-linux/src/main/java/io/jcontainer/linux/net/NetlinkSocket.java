package io.jcontainer.linux.net;

import io.jcontainer.linux.sys.Syscalls;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One netlink socket and the request/answer discipline on it: every request asks for an ack,
 * answers are matched by sequence number, NLMSG_ERROR becomes a {@link NetlinkException} naming
 * the operation and its subject. The socket belongs to the network namespace of the thread
 * that opened it, whatever thread uses it later. Not thread-safe: one owner.
 */
final class NetlinkSocket implements AutoCloseable {
    static final int NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3;
    private static final int NLM_F_ACK_TLVS = 0x200, NLM_F_CAPPED = 0x100, NLMSGERR_ATTR_MSG = 1;
    static final int TIMEOUT_MILLIS = 5000;

    private final Syscalls sys;
    private final int fd;
    private final byte[] buf = new byte[1 << 16];
    private int seq = (int) (System.nanoTime() & 0x3fffffff);

    NetlinkSocket(Syscalls sys, int protocol) {
        this.sys = sys;
        this.fd = sys.netlinkSocket(protocol, TIMEOUT_MILLIS);
    }

    /** A socket another process opened (in its network namespace) and handed over: owned from now on. */
    static NetlinkSocket adopt(Syscalls sys, int fd) {
        try {
            sys.netlinkAdopt(fd, TIMEOUT_MILLIS);
        } catch (RuntimeException e) {
            sys.closeQuietly(fd);
            throw e;
        }
        return new NetlinkSocket(sys, fd, true);
    }

    private NetlinkSocket(Syscalls sys, int fd, boolean adopted) {
        this.sys = sys;
        this.fd = fd;
    }

    int nextSeq() {
        return ++seq;
    }

    /** Sends {@code msg} (built with {@link #nextSeq()} and NLM_F_ACK) and waits for its ack. */
    void request(NlMessage msg, String operation, String subject) {
        byte[] b = msg.bytes();
        int want = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(8);
        sys.netlinkSend(fd, b);
        for (;;) {
            ByteBuffer r = receive();
            for (int p = 0; p + NlMessage.HDRLEN <= r.limit(); ) {
                int len = r.getInt(p), type = Short.toUnsignedInt(r.getShort(p + 4)), s = r.getInt(p + 8);
                if (len < NlMessage.HDRLEN || p + len > r.limit()) break;
                if (s == want && type == NLMSG_ERROR) {
                    checkError(r, p, len, operation, subject);
                    return;
                }
                p += (len + 3) & ~3;
            }
        }
    }

    /**
     * Sends {@code msgs} (each built with {@link #nextSeq()} and NLM_F_ACK) in one sendmsg and
     * waits for all their acks: one round trip instead of one each. The kernel carries out every
     * message in order even after one fails; the first failure, in that order, is thrown.
     */
    void requestAll(List<NlMessage> msgs, List<String> operations, String subject) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        int[] seqs = new int[msgs.size()];
        for (int i = 0; i < seqs.length; i++) {
            byte[] b = msgs.get(i).bytes();
            seqs[i] = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(8);
            all.writeBytes(b);
            for (int pad = b.length; (pad & 3) != 0; pad++) all.write(0);
        }
        sys.netlinkSend(fd, all.toByteArray());
        RuntimeException[] failed = new RuntimeException[seqs.length];
        int waiting = seqs.length;
        while (waiting > 0) {
            ByteBuffer r = receive();
            for (int p = 0; p + NlMessage.HDRLEN <= r.limit(); ) {
                int len = r.getInt(p), type = Short.toUnsignedInt(r.getShort(p + 4)), s = r.getInt(p + 8);
                if (len < NlMessage.HDRLEN || p + len > r.limit()) break;
                if (type == NLMSG_ERROR)
                    for (int i = 0; i < seqs.length; i++)
                        if (seqs[i] == s) {
                            try {
                                checkError(r, p, len, operations.get(i), subject);
                            } catch (NetlinkException e) {
                                failed[i] = e;
                            }
                            waiting--;
                        }
                p += (len + 3) & ~3;
            }
        }
        for (RuntimeException e : failed) if (e != null) throw e;
    }

    /**
     * Sends one nfnetlink batch — {@code begin}, {@code msgs} (each built with {@link #nextSeq()}
     * and NLM_F_ACK), {@code end} — in one sendmsg, and waits for every message's ack. The batch
     * is one transaction: one refused message aborts it all, and a failed commit is reported on
     * {@code begin}'s sequence number (before the acks, which then say nothing). The first
     * failure is thrown.
     */
    void requestBatch(NlMessage begin, List<NlMessage> msgs, NlMessage end, List<String> operations, String subject) {
        byte[] b = begin.bytes();
        int batch = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(8);
        List<NlMessage> all = new ArrayList<>();
        all.add(begin);
        all.addAll(msgs);
        all.add(end);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int[] seqs = new int[msgs.size()];
        for (int i = 0; i < all.size(); i++) {
            byte[] m = all.get(i).bytes();
            if (i > 0 && i <= seqs.length) seqs[i - 1] = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()).getInt(8);
            out.writeBytes(m);
            for (int pad = m.length; (pad & 3) != 0; pad++) out.write(0);
        }
        sys.netlinkSend(fd, out.toByteArray());
        RuntimeException first = null;
        boolean[] answered = new boolean[seqs.length];
        int waiting = seqs.length;
        while (waiting > 0) {
            ByteBuffer r = receive();
            for (int p = 0; p + NlMessage.HDRLEN <= r.limit(); ) {
                int len = r.getInt(p), type = Short.toUnsignedInt(r.getShort(p + 4)), s = r.getInt(p + 8);
                if (len < NlMessage.HDRLEN || p + len > r.limit()) break;
                if (type == NLMSG_ERROR) {
                    if (s == batch) {
                        try {
                            checkError(r, p, len, "commit", subject);
                        } catch (NetlinkException e) {
                            if (first == null) first = e;
                        }
                    }
                    for (int i = 0; i < seqs.length; i++)
                        if (seqs[i] == s && !answered[i]) {
                            answered[i] = true;
                            waiting--;
                            try {
                                checkError(r, p, len, operations.get(i), subject);
                            } catch (NetlinkException e) {
                                if (first == null) first = e;
                            }
                        }
                }
                p += (len + 3) & ~3;
            }
        }
        if (first != null) throw first;
    }

    /** Sends a request that is answered with one message of type {@code type} (a get by name) and returns it parsed. */
    <T> T get(NlMessage msg, int type, Function<ByteBuffer, T> parse, String operation, String subject) {
        byte[] b = msg.bytes();
        int want = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(8);
        sys.netlinkSend(fd, b);
        T out = null;
        for (;;) {
            ByteBuffer r = receive();
            for (int p = 0; p + NlMessage.HDRLEN <= r.limit(); ) {
                int len = r.getInt(p), t = Short.toUnsignedInt(r.getShort(p + 4)), s = r.getInt(p + 8);
                if (len < NlMessage.HDRLEN || p + len > r.limit()) break;
                if (s == want) {
                    if (t == NLMSG_ERROR) {
                        checkError(r, p, len, operation, subject);
                        return out; // the ack after the answer
                    }
                    if (t == type) out = parse.apply(r.slice(p, len).order(ByteOrder.nativeOrder()));
                }
                p += (len + 3) & ~3;
            }
        }
    }

    /** Sends a dump request and maps every answer of type {@code type} until NLMSG_DONE. */
    <T> List<T> dump(NlMessage msg, int type, Function<ByteBuffer, T> parse, String operation) {
        byte[] b = msg.bytes();
        int want = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(8);
        sys.netlinkSend(fd, b);
        List<T> out = new ArrayList<>();
        for (;;) {
            ByteBuffer r = receive();
            for (int p = 0; p + NlMessage.HDRLEN <= r.limit(); ) {
                int len = r.getInt(p), t = Short.toUnsignedInt(r.getShort(p + 4)), s = r.getInt(p + 8);
                if (len < NlMessage.HDRLEN || p + len > r.limit()) break;
                if (s == want) {
                    if (t == NLMSG_DONE) return out;
                    if (t == NLMSG_ERROR) checkError(r, p, len, operation, null);
                    else if (t == type) {
                        T v = parse.apply(r.slice(p, len).order(ByteOrder.nativeOrder()));
                        if (v != null) out.add(v);
                    }
                }
                p += (len + 3) & ~3;
            }
        }
    }

    private ByteBuffer receive() {
        int n = sys.netlinkReceive(fd, buf);
        return ByteBuffer.wrap(buf, 0, n).slice().order(ByteOrder.nativeOrder());
    }

    /** struct nlmsgerr { int error; struct nlmsghdr msg; [payload unless capped] } then ext-ack TLVs. */
    static void checkError(ByteBuffer r, int p, int len, String operation, String subject) {
        int error = r.getInt(p + NlMessage.HDRLEN);
        if (error == 0) return;
        int flags = Short.toUnsignedInt(r.getShort(p + 6));
        String kernelMessage = null;
        if ((flags & NLM_F_ACK_TLVS) != 0) {
            int origLen = r.getInt(p + NlMessage.HDRLEN + 4);
            int tlvs = p + NlMessage.HDRLEN + 4 + ((flags & NLM_F_CAPPED) != 0 ? NlMessage.HDRLEN : ((origLen + 3) & ~3));
            if (tlvs < p + len) kernelMessage = new NlAttrs(r, tlvs, p + len).string(NLMSGERR_ATTR_MSG);
        }
        throw NetlinkException.of(operation, subject, -error, kernelMessage);
    }

    @Override
    public void close() {
        sys.closeQuietly(fd);
    }
}
