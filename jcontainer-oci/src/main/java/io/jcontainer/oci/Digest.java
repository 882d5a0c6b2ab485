package io.jcontainer.oci;

import io.jcontainer.image.InvalidImageException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code sha256:<64 hex>} (or sha512). Parsing is strict because digests from
 * manifests become file names in the store: {@code sha256:../x} must never reach a path
 * (SECURITY.md row 34).
 */
public record Digest(String algorithm, String hex) {

    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        boolean ok = switch (algorithm) {
            case "sha256" -> SHA256.matcher(hex).matches();
            case "sha512" -> SHA512.matcher(hex).matches();
            default -> false;
        };
        if (!ok) throw new InvalidImageException("invalid digest \"" + algorithm + ":" + hex + "\"");
    }

    public static Digest parse(String text) {
        if (text == null) throw new InvalidImageException("missing digest");
        int colon = text.indexOf(':');
        if (colon < 0) throw new InvalidImageException("invalid digest \"" + text + "\" (expected algorithm:hex)");
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    public static Digest sha256(byte[] content) {
        return new Digest("sha256", HexFormat.of().formatHex(messageDigest("sha256").digest(content)));
    }

    public static Digest of(String algorithm, byte[] raw) {
        return new Digest(algorithm, HexFormat.of().formatHex(raw));
    }

    /**
     * For streams (blobs, layers): SHA-256 through libcrypto where the host has it
     * ({@link NativeSha256}: fast without JIT warm-up), else the JDK's.
     */
    public MessageDigest newMessageDigest() {
        return algorithm.equals("sha256") && NativeSha256.supported() ? new NativeSha256() : messageDigest(algorithm);
    }

    /** Which SHA-256 streams get: {@code libcrypto} or {@code jdk}. For benchmarks and {@code info}. */
    public static String sha256Implementation() {
        return NativeSha256.supported() ? "libcrypto" : "jdk";
    }

    static MessageDigest messageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first 12 hex digits, docker's short id. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
