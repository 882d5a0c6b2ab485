package io.jcontainer.docker;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DetachKeysTest {
    private static DetachKeys.Result feed(DetachKeys k, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return k.filter(b, 0, b.length);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void parsesDockersSpellings() {
        assertThat(DetachKeys.parse(null).bytes()).containsExactly(0x10, 0x11);
        assertThat(DetachKeys.parse("ctrl-p,ctrl-q").bytes()).containsExactly(0x10, 0x11);
        assertThat(DetachKeys.parse("ctrl-x,y").bytes()).containsExactly(0x18, 'y');
        assertThat(DetachKeys.parse("CTRL-A, a").bytes()).containsExactly(1, 'a');
        assertThat(DetachKeys.parse("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_").bytes()).containsExactly(0, 27, 28, 29, 30, 31);
    }

    @Test
    void refusesWhatDockerRefuses() {
        for (String bad : new String[]{"ctrl-", "ctrl-1", "ab", "ctrl-p,", "ctrl-p,,ctrl-q", "ctrl-aa", " "})
            assertThatThrownBy(() -> DetachKeys.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Unrecognized input key");
    }

    @Test
    void theSequenceDetachesAndIsNotForwarded() {
        var k = DetachKeys.parse(null);
        var r = feed(k, "ls\n\u0010\u0011after");
        assertThat(r.detach()).isTrue();
        assertThat(str(r.forward())).isEqualTo("ls\n");
    }

    @Test
    void aPartialMatchIsHeldAcrossChunksThenReleasedWithTheByteThatBrokeIt() {
        var k = DetachKeys.parse(null);
        var r = feed(k, "a\u0010");
        assertThat(r.detach()).isFalse();
        assertThat(str(r.forward())).isEqualTo("a");
        r = feed(k, "b");
        assertThat(str(r.forward())).isEqualTo("\u0010b");
        // a ctrl-p that breaks a match starts a new one
        r = feed(k, "\u0010\u0010\u0011");
        assertThat(r.detach()).isTrue();
        assertThat(str(r.forward())).isEqualTo("\u0010");
        // held at end of input
        feed(k, "\u0010");
        assertThat(k.pending()).containsExactly(0x10);
        assertThat(k.pending()).isEmpty();
    }

    @Test
    void customKeysAcrossChunks() {
        var k = DetachKeys.parse("ctrl-x,y");
        assertThat(feed(k, "\u0018").detach()).isFalse();
        assertThat(feed(k, "y").detach()).isTrue();
        assertThat(str(feed(k, "xy\u0018x").forward())).isEqualTo("xy\u0018x");
    }
}
