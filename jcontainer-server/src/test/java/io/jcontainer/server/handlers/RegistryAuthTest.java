package io.jcontainer.server.handlers;

import io.jcontainer.image.RegistryCredentials;
import io.jcontainer.server.http.ApiError;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docker's decoding of X-Registry-Auth and X-Registry-Config, as the daemon does it. */
class RegistryAuthTest {
    private static String url(String json) {
        return Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void emptyAndEmptyObjectAreNone() {
        assertThat(RegistryAuth.auth(null)).isNull();
        assertThat(RegistryAuth.auth("")).isNull();
        assertThat(RegistryAuth.auth(url("{}"))).isNull();
        assertThat(RegistryAuth.auth(url("{\"serveraddress\":\"h:5000\"}"))).isNull();
        assertThat(RegistryAuth.config(url("{}"))).isEmpty();
    }

    @Test
    void passwordAuthFieldAndIdentityToken() {
        // a JSON whose base64url form has '-'/'_' and padding; the same without padding decodes too
        String json = "{\"username\":\"u>?\",\"password\":\"p~~?\",\"serveraddress\":\"127.0.0.1:5000\"}";
        assertThat(RegistryAuth.auth(url(json))).isEqualTo(RegistryCredentials.password("u>?", "p~~?"));
        assertThat(RegistryAuth.auth(url(json).replace("=", ""))).isEqualTo(RegistryCredentials.password("u>?", "p~~?"));
        String auth = Base64.getEncoder().encodeToString("me:pw:with:colons".getBytes(StandardCharsets.UTF_8));
        assertThat(RegistryAuth.auth(url("{\"auth\":\"" + auth + "\"}"))).isEqualTo(RegistryCredentials.password("me", "pw:with:colons"));
        assertThat(RegistryAuth.auth(url("{\"identitytoken\":\"tok\"}"))).isEqualTo(new RegistryCredentials("", "tok", true));
    }

    @Test
    void configKeysAreRegistryHosts() {
        var c = RegistryAuth.config(url("{\"https://index.docker.io/v1/\":{\"username\":\"a\",\"password\":\"b\"},"
                + "\"http://127.0.0.1:5000\":{\"username\":\"c\",\"password\":\"d\"},\"empty.example\":{}}"));
        assertThat(c).containsOnlyKeys("docker.io", "127.0.0.1:5000");
        assertThat(c.get("127.0.0.1:5000")).isEqualTo(RegistryCredentials.password("c", "d"));
    }

    @Test
    void malformedIsDockers400() {
        assertThatThrownBy(() -> RegistryAuth.auth("!!!")).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).isEqualTo("invalid X-Registry-Auth header: must be a valid base64url-encoded string");
        });
        assertThatThrownBy(() -> RegistryAuth.auth(url("[1]"))).hasMessage("invalid X-Registry-Auth header: must be a valid JSON");
        assertThatThrownBy(() -> RegistryAuth.config(url("{x"))).hasMessage("invalid X-Registry-Config header: must be a valid JSON");
    }
}
