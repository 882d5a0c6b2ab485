package io.jcontainer.oci;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** libcrypto's SHA-256 through FFM gives the JDK's digests, whatever the pieces it is fed in. */
class NativeSha256Test {

    @Test
    void usedWhereTheHostHasLibcrypto() {
        boolean present = List.of("/usr/lib/x86_64-linux-gnu/libcrypto.so.3", "/usr/lib/aarch64-linux-gnu/libcrypto.so.3",
                "/lib/x86_64-linux-gnu/libcrypto.so.3", "/lib/aarch64-linux-gnu/libcrypto.so.3").stream().anyMatch(p -> Files.exists(Path.of(p)));
        assertThat(NativeSha256.supported()).isEqualTo(present);
        assertThat(Digest.sha256Implementation()).isEqualTo(present ? "libcrypto" : "jdk");
        if (present) assertThat(new Digest("sha256", "0".repeat(64)).newMessageDigest()).isInstanceOf(NativeSha256.class);
    }

    @Test
    void sameDigestsAsTheJdksForEverySizeAndSplit() throws Exception {
        if (!NativeSha256.supported()) return;              // the JDK's own is then what streams use (the test above)
        Random random = new Random(42);
        for (int size : new int[] {0, 1, 55, 56, 63, 64, 65, 4095, 65535, 65536, 65537, 3 * 65536 + 17, 1 << 20}) {
            byte[] data = new byte[size + 10];
            random.nextBytes(data);
            byte[] expected = MessageDigest.getInstance("SHA-256").digest(java.util.Arrays.copyOfRange(data, 5, 5 + size));
            MessageDigest whole = new NativeSha256();
            whole.update(data, 5, size);
            assertThat(whole.digest()).as("size %d in one piece", size).isEqualTo(expected);
            // digest() reset it: the same instance again, in uneven pieces, and a byte at a time at the start
            int at = 5, end = 5 + size;
            for (int i = 0; i < 3 && at < end; i++) whole.update(data[at++]);
            while (at < end) {
                int n = Math.min(end - at, 1 + random.nextInt(70_000));
                whole.update(data, at, n);
                at += n;
            }
            assertThat(whole.digest()).as("size %d in pieces", size).isEqualTo(expected);
        }
        MessageDigest reset = new NativeSha256();
        reset.update(new byte[] {1, 2, 3});
        reset.reset();
        assertThat(reset.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(new byte[0]));
        assertThat(reset.getDigestLength()).isEqualTo(32);
        assertThat(reset.getAlgorithm()).isEqualTo("SHA-256");
    }
}
