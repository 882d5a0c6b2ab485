package io.jcontainer.linux.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One netlink request being encoded: {@code struct nlmsghdr}, the family's fixed header, then
 * attributes (rtattr / nlattr: u16 length, u16 type, value, padded to 4), which may nest. Host
 * byte order for the kernel's integers, network order only where the value is an address.
 * The length fields are patched when the message (or a nest) is closed.
 */
final class NlMessage {
    static final int HDRLEN = 16;
    static final int NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLM_F_DUMP = 0x300, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400,
            NLM_F_REPLACE = 0x100;
    static final int NLA_F_NESTED = 0x8000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    private final Deque<Integer> nests = new ArrayDeque<>();

    NlMessage(int type, int flags, int seq) {
        int32(0); // nlmsg_len, patched in bytes()
        int16(type);
        int16(flags);
        int32(seq);
        int32(0); // nlmsg_pid: 0, the kernel fills in our port
    }

    NlMessage int8(int v) {
        out.write(v);
        return this;
    }

    NlMessage int16(int v) {
        out.write(v);
        out.write(v >>> 8);
        return this;
    }

    NlMessage int32(int v) {
        int16(v);
        int16(v >>> 16);
        return this;
    }

    NlMessage raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    private void pad() {
        while (out.size() % 4 != 0) out.write(0);
    }

    NlMessage attr(int type, byte[] value) {
        int16(4 + value.length);
        int16(type);
        out.writeBytes(value);
        pad();
        return this;
    }

    NlMessage attrU32(int type, int value) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    NlMessage attrU8(int type, int value) {
        return attr(type, new byte[]{(byte) value});
    }

    /** A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND). */
    NlMessage attrString(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.US_ASCII);
        byte[] z = new byte[s.length + 1];
        System.arraycopy(s, 0, z, 0, s.length);
        return attr(type, z);
    }

    /** Opens a nested attribute; its length is set by {@link #end()}. */
    NlMessage begin(int type) {
        nests.push(out.size());
        int16(0);
        int16(type);
        return this;
    }

    NlMessage end() {
        int at = nests.pop();
        pad();
        patch16(at, out.size() - at);
        return this;
    }

    private void patch16(int at, int v) {
        byte[] b = out.toByteArray();
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        out.reset();
        out.writeBytes(b);
    }

    byte[] bytes() {
        if (!nests.isEmpty()) throw new IllegalStateException("an attribute nest is still open");
        byte[] b = out.toByteArray();
        ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putInt(0, b.length);
        return b;
    }
}
