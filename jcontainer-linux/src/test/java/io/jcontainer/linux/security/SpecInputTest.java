package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 19, item 7: inputs that reached the kernel, or were dropped, are refused before
 * anything starts, each naming its setting. (The CLI's spelling of the same: CliTest.)
 */
@RequiresRoot
class SpecInputTest {
    @Test
    void infiniteOrTooManyCpusAreRefusedBeforeTheKernel() {
        assertThatThrownBy(() -> Container.builder().cpus(Double.POSITIVE_INFINITY))
                .isInstanceOf(InvalidSpecException.class).hasMessageStartingWith("cpus: ").hasMessageContaining("finite");
        int n = Runtime.getRuntime().availableProcessors();
        assertThatThrownBy(() -> TestRuns.busybox().cpus(n + 1.0).command("/bin/true").start())
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("range of CPUs is from 0.01 to " + n + ".00");
    }

    @Test
    void aHugeCpusetIsOutOfRangeNotNotANumber() {
        assertThatThrownBy(() -> TestRuns.busybox().cpusetCpus("0-999999999").command("/bin/true").start())
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("out of range").hasMessageNotContaining("not a number");
    }

    @Test
    void anEmptyEnvironmentAssignmentIsAnError() {
        for (String bad : new String[]{"", "=x"})
            assertThatThrownBy(() -> Container.builder().env(bad)).as("'%s'", bad)
                    .isInstanceOf(InvalidSpecException.class).hasMessageContaining("invalid environment variable");
        // a bare name still copies the JVM's value when it has one (docker's -e K)
        assertThat(Container.builder().env("PATH").command("x").build().env()).containsKey("PATH");
    }
}
