package io.jcontainer.linux.cgroup;

import io.jcontainer.InvalidSpecException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuListTest {
    @Test
    void parsesAndFormatsTheKernelListFormat() {
        assertThat(CpuList.format(CpuList.parse("c", "0-2,5,7-8"))).isEqualTo("0-2,5,7-8");
        assertThat(CpuList.format(CpuList.parse("c", "3,1,2"))).isEqualTo("1-3");
    }

    @Test
    void refusesMalformedLists() {
        for (String bad : new String[]{"", "a", "1,,2", "1-2-3", "-1", "1-", "2-1", " , "})
            assertThatThrownBy(() -> CpuList.parse("cpuset-cpus", bad)).as(bad).isInstanceOf(InvalidSpecException.class)
                    .hasMessageStartingWith("cpuset-cpus: ");
    }

    @Test
    void aHugeNumberIsOutOfRangeNotMalformed() {
        assertThatThrownBy(() -> CpuList.parse("cpuset-cpus", "0-999999999")).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("999999999 is out of range").hasMessageNotContaining("not a number");
        assertThatThrownBy(() -> CpuList.parse("cpuset-cpus", "8192")).hasMessageContaining("out of range");
        assertThat(CpuList.format(CpuList.parse("cpuset-cpus", "8191"))).isEqualTo("8191");
    }

    @Test
    void cpusAboveTheHostsCountOrInfiniteAreRefused() {
        int n = Runtime.getRuntime().availableProcessors();
        assertThatThrownBy(() -> CpuController.validate(io.jcontainer.Container.builder().cpus(n + 1).command("x").build().resources()))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("range of CPUs is from 0.01 to " + n + ".00");
        assertThatThrownBy(() -> io.jcontainer.Container.builder().cpus(Double.POSITIVE_INFINITY))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("finite");
    }

    @Test
    void namesWhatIsMissingAndWhatExists() {
        assertThatThrownBy(() -> CpuList.requireSubset("cpuset-cpus", "1-3", "0-1\n", "CPUs"))
                .hasMessage("cpuset-cpus: '1-3' asks for CPUs 2-3 that this host does not allow; available: 0-1");
        CpuList.requireSubset("cpuset-cpus", "1", "0-1", "CPUs");
    }
}
