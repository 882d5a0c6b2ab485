package io.jcontainer.linux;

import io.jcontainer.ContainerStartException;
import io.jcontainer.IdMap;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.RecordingSyscalls;
import io.jcontainer.linux.userns.SubordinateIds;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** newuidmap/newgidmap run through the seam's spawn: the argv, the descriptors, the errors. */
class IdMapHelperTest {
    private static final List<IdMap> MAPS = List.of(new IdMap(0, 1000, 1), new IdMap(1, 100000, 65536));

    @Test
    void bothHelpersRunWithThePidAndTheTriplesAndLeaveNoDescriptor() {
        assumeThat(SubordinateIds.helper("newuidmap")).as("newuidmap installed (apt-get install uidmap)").isNotNull();
        RecordingSyscalls sys = new RecordingSyscalls();
        IdMapHelper.map(sys, 4242, MAPS, MAPS);
        assertThat(sys.spawned).containsExactly(
                List.of(SubordinateIds.helper("newuidmap").toString(), "4242", "0", "1000", "1", "1", "100000", "65536"),
                List.of(SubordinateIds.helper("newgidmap").toString(), "4242", "0", "1000", "1", "1", "100000", "65536"));
        assertThat(sys.calls).anyMatch(c -> c.startsWith("open /dev/null")).anyMatch(c -> c.startsWith("waitid "));
        assertThat(sys.openFds()).as("descriptors left open").isEmpty();
    }

    @Test
    void aFailingHelperIsNamedWithItsStatus() {
        assumeThat(SubordinateIds.helper("newuidmap")).isNotNull();
        RecordingSyscalls sys = new RecordingSyscalls();
        sys.exitStatus = 1;
        assertThatThrownBy(() -> IdMapHelper.map(sys, 4242, MAPS, MAPS))
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("newuidmap 4242 0 1000 1").hasMessageContaining("exited with 1");
        assertThat(sys.spawned).hasSize(1); // newgidmap not tried
        assertThat(sys.openFds()).isEmpty();
    }

    @Test
    void aHelperThatCannotBeSpawnedIsNamedAndLeavesNoDescriptor() {
        assumeThat(SubordinateIds.helper("newuidmap")).isNotNull();
        RecordingSyscalls sys = new RecordingSyscalls().failNext("spawn", Errno.EACCES);
        assertThat(IdMapHelper.helper(sys, "newuidmap", 4242, MAPS)).startsWith("cannot run ").contains("newuidmap 4242");
        assertThat(sys.openFds()).isEmpty();
    }
}
