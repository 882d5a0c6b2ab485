package io.jcontainer.linux.state;

import io.jcontainer.HostUnsupportedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The state directory must be this user's (or root's) all the way up, as OpenSSH wants key files. */
class StateDirCheckTest {
    @TempDir
    Path tmp;

    static int owner(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:uid");
    }

    static int group(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:gid");
    }

    @Test
    void aGroupWritableDirectoryIsRefusedUnlessTheGroupIsThisUsers() throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Path d = Files.createDirectory(shared.resolve("state"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwx---"));
        assertThatCode(() -> StateDirCheck.check(d, owner(d), group(d))).doesNotThrowAnyException();
        if (group(shared) != 0) // a root-group directory counts as root's
            assertThatThrownBy(() -> StateDirCheck.check(d, owner(d), group(d) + 1)).hasMessageContaining(shared + " is writable by its group");
    }

    @Test
    void aPrivateDirectoryBelowStickyTmpIsAccepted() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("state"));
        assertThatCode(() -> StateDirCheck.check(d, owner(d), group(d))).doesNotThrowAnyException();
    }

    @Test
    void aDirectoryOthersMayWriteIsRefusedNamingItAndTheRemedy() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Path d = Files.createDirectory(open.resolve("state"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> StateDirCheck.check(d, owner(d), group(d))).isInstanceOf(HostUnsupportedException.class)
                .hasMessageContaining(open + " is writable by others").hasMessageContaining("XDG_RUNTIME_DIR");
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("state"));
        int other = owner(d) == 0 ? 4242 : owner(d) + 1; // not us, and not root unless we are root
        if (owner(d) != 0) {
            assertThatThrownBy(() -> StateDirCheck.check(d, other, group(d))).isInstanceOf(HostUnsupportedException.class)
                    .hasMessageContaining("belongs to uid " + owner(d));
        } else {
            Files.setOwner(d, d.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            assertThatThrownBy(() -> StateDirCheck.check(d, other, group(d))).isInstanceOf(HostUnsupportedException.class)
                    .hasMessageContaining(d + " belongs to uid " + owner(d));
        }
    }
}
