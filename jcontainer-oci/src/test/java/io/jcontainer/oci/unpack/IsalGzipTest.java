package io.jcontainer.oci.unpack;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** igzip through FFM gives the JDK's bytes, and refuses what the JDK refuses (libisal2 is a test package). */
class IsalGzipTest {

    private static byte[] gzip(byte[] data) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] sample(int size, long seed) {
        byte[] b = new byte[size];
        Random r = new Random(seed);
        for (int i = 0; i < size; i++) b[i] = (byte) (r.nextInt(20) + 'a');    // compressible, not trivial
        return b;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void sameBytesAsTheJdkAcrossBufferSizesAndConcatenatedMembers() throws IOException {
        assumeTrue(IsalGzipInputStream.supported() || !"true".equals(System.getenv("CI")), "libisal.so.2 is missing (apt-get install libisal2)");
        assertThat(IsalGzipInputStream.supported()).as("libisal.so.2 loads").isTrue();
        for (int size : new int[]{0, 1, 511, 1 << 18, (1 << 18) + 1, 3_000_000}) {
            byte[] data = sample(size, size);
            assertThat(readAll(new IsalGzipInputStream(new ByteArrayInputStream(gzip(data))))).isEqualTo(data);
        }
        byte[] a = sample(100_000, 1), b = sample(300_000, 2);
        byte[] two = concat(gzip(a), gzip(b));
        assertThat(readAll(new IsalGzipInputStream(new ByteArrayInputStream(two)))).isEqualTo(concat(a, b));
        assertThat(readAll(new IsalGzipInputStream(new ByteArrayInputStream(concat(gzip(a), new byte[]{0, 0, 0})))))
                .as("trailing non-gzip bytes are ignored, as GZIPInputStream does").isEqualTo(a);
    }

    @Test
    void truncatedAndCorruptStreamsFail() throws IOException {
        assumeTrue(IsalGzipInputStream.supported());
        byte[] gz = gzip(sample(500_000, 3));
        assertThatThrownBy(() -> readAll(new IsalGzipInputStream(new ByteArrayInputStream(Arrays.copyOf(gz, gz.length / 2)))))
                .isInstanceOf(EOFException.class);
        byte[] badCrc = gz.clone();
        badCrc[badCrc.length - 6] ^= 0x55;                                   // the trailer's CRC-32
        assertThatThrownBy(() -> readAll(new IsalGzipInputStream(new ByteArrayInputStream(badCrc)))).isInstanceOf(ZipException.class);
        byte[] badData = gz.clone();
        for (int i = 100; i < 200; i++) badData[i] = (byte) 0xff;
        assertThatThrownBy(() -> readAll(new IsalGzipInputStream(new ByteArrayInputStream(badData)))).isInstanceOf(IOException.class);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
