package io.jcontainer.oci.build;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A step's cache key, BuildKit-like: the parent step's key, the instruction as it runs (after
 * expansion), the build args it sees, and — for COPY/ADD — the hash of the copied content with
 * names, modes and owners. Two builds that would do the same thing from the same state get the
 * same key; any difference, however small, gives another. Fields are length-prefixed so no two
 * different inputs serialise alike.
 */
public final class CacheKey {
    private final MessageDigest md;

    private CacheKey(String kind) {
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        add("jcontainer-build-cache-v1");
        add(kind);
    }

    public static CacheKey of(String kind) {
        return new CacheKey(kind);
    }

    public CacheKey add(String field) {
        byte[] b = (field == null ? "\0null" : field).getBytes(StandardCharsets.UTF_8);
        md.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
        md.update((byte) ':');
        md.update(b);
        return this;
    }

    public CacheKey add(String name, String value) {
        return add(name).add(value);
    }

    /** A map in key order, so the order args were given in does not matter. */
    public CacheKey add(String name, Map<String, String> map) {
        add(name).add(Integer.toString(map.size()));
        new TreeMap<>(map).forEach((k, v) -> add(k).add(v));
        return this;
    }

    public CacheKey add(String name, Iterable<String> list) {
        add(name);
        int n = 0;
        for (String s : list) {
            add(s);
            n++;
        }
        return add(Integer.toString(n));
    }

    /** The key: {@code sha256:<hex>}. */
    public String done() {
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }
}
