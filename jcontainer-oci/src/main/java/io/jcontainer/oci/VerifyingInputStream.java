package io.jcontainer.oci;

import io.jcontainer.image.DigestMismatchException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes and counts what passes through; fails as soon as more than {@code size} bytes arrive,
 * and at the end of the stream when the count or the digest differ (SECURITY.md row 33). Callers
 * write what they read to a temporary file and commit it only after EOF passed this check.
 * {@code size} -1 means unknown (only the digest is checked).
 */
public final class VerifyingInputStream extends FilterInputStream {
    private final Digest expected;
    private final long size;
    private final MessageDigest md;
    private final String what;
    private long count;
    private boolean verified;

    public VerifyingInputStream(InputStream in, Digest expected, long size, String what) {
        this(in, expected, size, what, 0, null);
    }

    /** Resumes: {@code already} bytes were hashed into {@code md} before. */
    public VerifyingInputStream(InputStream in, Digest expected, long size, String what, long already, MessageDigest md) {
        super(in);
        this.expected = expected;
        this.size = size;
        this.md = md != null ? md : expected.newMessageDigest();
        this.what = what;
        this.count = already;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        md.update(b, off, n);
        count += n;
        if (size >= 0 && count > size)
            throw new DigestMismatchException(what + ": more than the " + size + " bytes its descriptor says (" + expected + ")");
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) break;
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    public long count() {
        return count;
    }

    private void verify() {
        if (verified) return;
        if (size >= 0 && count != size)
            throw new DigestMismatchException(what + ": " + count + " bytes where its descriptor says " + size + " (" + expected + ")");
        Digest actual = Digest.of(expected.algorithm(), md.digest());
        if (!actual.equals(expected))
            throw new DigestMismatchException(what + ": digest " + actual + " where " + expected + " was expected");
        verified = true;
    }

    /** Reads to the end (so that the check runs) and returns whether it passed (it throws otherwise). */
    public void drainAndVerify() throws IOException {
        byte[] buf = new byte[65536];
        while (read(buf, 0, buf.length) >= 0) {
            // drain
        }
        verify();
    }
}
