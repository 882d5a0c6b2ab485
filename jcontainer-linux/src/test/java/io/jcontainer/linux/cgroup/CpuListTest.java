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
    void namesWhatIsMissingAndWhatExists() {
        assertThatThrownBy(() -> CpuList.requireSubset("cpuset-cpus", "1-3", "0-1\n", "CPUs"))
                .hasMessage("cpuset-cpus: '1-3' asks for CPUs 2-3 that this host does not allow; available: 0-1");
        CpuList.requireSubset("cpuset-cpus", "1", "0-1", "CPUs");
    }
}
