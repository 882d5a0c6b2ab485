package io.jcontainer.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageReferenceTest {

    static final String HEX = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "busybox,                          docker.io/library/busybox:latest",
            "busybox:1.36,                     docker.io/library/busybox:1.36",
            "library/busybox,                  docker.io/library/busybox:latest",
            "bitnami/redis:7,                  docker.io/bitnami/redis:7",
            "docker.io/busybox,                docker.io/library/busybox:latest",
            "index.docker.io/library/busybox,  docker.io/library/busybox:latest",
            "127.0.0.1:5000/nginx:alpine,      127.0.0.1:5000/nginx:alpine",
            "localhost/foo,                    localhost/foo:latest",
            "localhost:5000/a/b/c:v1.2-rc_3,   localhost:5000/a/b/c:v1.2-rc_3",
            "quay.io/coreos/etcd,              quay.io/coreos/etcd:latest",
            "ghcr.io/o/r:latest,               ghcr.io/o/r:latest",
            "[::1]:5000/x:y,                   [::1]:5000/x:y",
            "my.registry/a__b/c-d--e/f.g,      my.registry/a__b/c-d--e/f.g:latest",
    })
    void normalises(String input, String expected) {
        assertThat(ImageReference.parse(input).toString()).isEqualTo(expected);
    }

    @Test
    void digestOnlyHasNoTag() {
        var ref = ImageReference.parse("busybox@sha256:" + HEX);
        assertThat(ref.tag()).isNull();
        assertThat(ref.digest()).isEqualTo("sha256:" + HEX);
        assertThat(ref.reference()).isEqualTo("sha256:" + HEX);
        assertThat(ref.toString()).isEqualTo("docker.io/library/busybox@sha256:" + HEX);
    }

    @Test
    void tagAndDigestKeepsBoth() {
        var ref = ImageReference.parse("127.0.0.1:5000/a:1@sha256:" + HEX);
        assertThat(ref.registry()).isEqualTo("127.0.0.1:5000");
        assertThat(ref.repository()).isEqualTo("a");
        assertThat(ref.tag()).isEqualTo("1");
        assertThat(ref.reference()).isEqualTo("sha256:" + HEX);
    }

    @Test
    void familiarName() {
        assertThat(ImageReference.parse("busybox").familiarName()).isEqualTo("busybox");
        assertThat(ImageReference.parse("bitnami/redis").familiarName()).isEqualTo("bitnami/redis");
        assertThat(ImageReference.parse("127.0.0.1:5000/x").familiarName()).isEqualTo("127.0.0.1:5000/x");
    }

    @ParameterizedTest(name = "\"{0}\" is refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "''                                | empty reference",
            "Busybox                           | lowercase",
            "docker.io/Library/busybox         | lowercase",
            "busybox:                          | invalid tag",
            "busybox:-x                        | invalid tag",
            "busybox:a/b                       | invalid registry host",
            "busybox@sha256:abc                | invalid digest",
            "busybox@sha256:../x               | invalid digest",
            "busybox@md5:0123456789abcdef0123456789abcdef | unsupported digest algorithm",
            "a//b                              | empty path component",
            "-foo                              | invalid repository component",
            "foo_                              | invalid repository component",
            "foo..bar                          | invalid repository component",
            "127.0.0.1:99999/x                 | port out of range",
            "bad_host.io:5000/x                | invalid registry host",
            "' busybox'                        | whitespace",
            "host.io/                          | empty repository name",
    })
    void refuses(String input, String reason) {
        assertThatThrownBy(() -> ImageReference.parse(input))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void tooLongTag() {
        assertThatThrownBy(() -> ImageReference.parse("x:" + "a".repeat(129)))
                .isInstanceOf(InvalidReferenceException.class).hasMessageContaining("invalid tag");
    }

    @Test
    void tooLongName() {
        assertThatThrownBy(() -> ImageReference.parse("h.io/" + "a".repeat(260)))
                .isInstanceOf(InvalidReferenceException.class).hasMessageContaining("longer than 255");
    }

    @Test
    void platforms() {
        assertThat(Platform.parse("linux/arm64/v8").matches(new Platform("linux", "arm64", null))).isTrue();
        assertThat(Platform.parse("linux/arm/v7").matches(new Platform("linux", "arm", "v6"))).isFalse();
        assertThat(Platform.parse("linux/amd64").matches(new Platform("linux", "arm64", null))).isFalse();
        assertThat(Platform.current().os()).isEqualTo("linux");
    }
}
