package io.jcontainer.linux.rootfs;

import io.jcontainer.InvalidSpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswdTest {
    static final Passwd P = new Passwd("""
            root:x:0:0:root:/root:/bin/sh
            user:x:1000:1000:u:/home/user:/bin/sh
            """, """
            root:x:0:
            user:x:1000:
            audio:x:29:user,other
            video:x:44:user
            """);

    @Test
    void namesNumbersAndGroups() {
        assertThat(P.resolve(null)).isEqualTo(new Passwd.User(0, 0, List.of(0), "/root"));
        assertThat(P.resolve("user")).isEqualTo(new Passwd.User(1000, 1000, List.of(1000, 29, 44), "/home/user"));
        assertThat(P.resolve("user:audio")).isEqualTo(new Passwd.User(1000, 29, List.of(29), "/home/user"));
        // a numeric uid with an entry gets that user's groups, as runc does
        assertThat(P.resolve("1000")).isEqualTo(new Passwd.User(1000, 1000, List.of(1000, 29, 44), "/home/user"));
        assertThat(P.resolve("4242:7")).isEqualTo(new Passwd.User(4242, 7, List.of(7), "/"));
    }

    @Test
    void unknownNamesSayWhatWasMissing() {
        assertThatThrownBy(() -> P.resolve("nobody")).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("unable to find user nobody");
        assertThatThrownBy(() -> P.resolve("user:wheel")).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("unable to find group wheel");
    }

    @Test
    void aPasswdLinkLeavingTheImageIsNotRead(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/etc/shadow"));
        assertThatThrownBy(() -> Passwd.of(root)).isInstanceOf(InvalidSpecException.class).hasMessageContaining("outside");
    }
}
