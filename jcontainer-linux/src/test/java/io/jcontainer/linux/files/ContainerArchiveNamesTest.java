package io.jcontainer.linux.files;

import io.jcontainer.ContainerException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How archive entry names become paths below the target directory (no root: names only). */
class ContainerArchiveNamesTest {
    @Test
    void namesAreNormalisedBelowTheTarget() {
        assertThat(ContainerArchive.inside("a/b/c", "e")).isEqualTo("a/b/c");
        assertThat(ContainerArchive.inside("./a//b/./c/", "e")).isEqualTo("a/b/c");
        assertThat(ContainerArchive.inside("/etc/passwd", "e")).as("a leading / is dropped, as tar does").isEqualTo("etc/passwd");
        assertThat(ContainerArchive.inside("a/../b", "e")).isEqualTo("b");
        assertThat(ContainerArchive.inside("./", "e")).isEmpty();
    }

    @Test
    void aNameThatLeavesTheTargetIsRefusedByName() {
        for (String bad : new String[]{"..", "../x", "a/../../x", "/../x", "./a/../../../etc/shadow"})
            assertThatThrownBy(() -> ContainerArchive.inside(bad, "entry-" + bad)).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("refusing entry entry-" + bad).hasMessageContaining("outside the target directory");
    }
}
