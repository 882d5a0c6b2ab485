package io.jcontainer.linux.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The attributes of one received message (or nest), by type; a malformed one ends the walk. */
final class NlAttrs {
    private final Map<Integer, ByteBuffer> byType = new HashMap<>();

    NlAttrs(ByteBuffer b, int from, int to) {
        int p = from;
        while (p + 4 <= to) {
            int len = Short.toUnsignedInt(b.getShort(p)), type = Short.toUnsignedInt(b.getShort(p + 2)) & 0x3fff;
            if (len < 4 || p + len > to) break;
            byType.put(type, b.slice(p + 4, len - 4).order(ByteOrder.nativeOrder()));
            p += (len + 3) & ~3;
        }
    }

    boolean has(int type) {
        return byType.containsKey(type);
    }

    ByteBuffer get(int type) {
        return byType.get(type);
    }

    String string(int type) {
        ByteBuffer v = byType.get(type);
        if (v == null) return null;
        int n = 0;
        while (n < v.limit() && v.get(n) != 0) n++;
        byte[] s = new byte[n];
        v.get(0, s);
        return new String(s, StandardCharsets.US_ASCII);
    }

    int u32(int type, int dflt) {
        ByteBuffer v = byType.get(type);
        return v == null || v.limit() < 4 ? dflt : v.getInt(0);
    }

    byte[] bytes(int type) {
        ByteBuffer v = byType.get(type);
        if (v == null) return null;
        byte[] s = new byte[v.limit()];
        v.get(0, s);
        return s;
    }

    NlAttrs nested(int type) {
        ByteBuffer v = byType.get(type);
        return v == null ? new NlAttrs(ByteBuffer.allocate(0), 0, 0) : new NlAttrs(v, 0, v.limit());
    }
}
