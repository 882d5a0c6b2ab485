package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Stdio;
import io.jcontainer.linux.state.ContainerState.Streams;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What state.json records of a container's streams, as docker's Config shows them for each way of running it. */
class StreamsRecordTest {
    private static ContainerSpec.Builder sh() {
        return Container.builder().command("/bin/sh");
    }

    @Test
    void detachedRunsAttachNothingAndKeepStdinOpenOnlyWhenTheMonitorHoldsIt() {
        // run -dit
        assertThat(LinuxContainerRuntime.streams(sh().detached(true).tty(true).stdin(Stdio.PIPE).stdout(Stdio.PIPE).build(), false))
                .isEqualTo(new Streams(true, true, false, false, false));
        // run -d
        assertThat(LinuxContainerRuntime.streams(sh().detached(true).stdin(Stdio.NULL).stdout(Stdio.PIPE).build(), false))
                .isEqualTo(new Streams(false, false, false, false, false));
    }

    @Test
    void runTAttachesTheOutputAndRunItAllThree() {
        assertThat(LinuxContainerRuntime.streams(sh().detached(true).tty(true).stdin(Stdio.NULL).stdout(Stdio.PIPE).build(), true))
                .isEqualTo(new Streams(true, false, false, true, true));
        assertThat(LinuxContainerRuntime.streams(sh().detached(true).tty(true).stdin(Stdio.PIPE).stdout(Stdio.PIPE).build(), true))
                .isEqualTo(new Streams(true, true, true, true, true));
    }

    @Test
    void anAttachedContainerAttachesWhatItDoesNotDiscard() {
        assertThat(LinuxContainerRuntime.streams(sh().stdin(Stdio.INHERIT).stdout(Stdio.PIPE).stderr(Stdio.NULL).build(), false))
                .isEqualTo(new Streams(false, true, true, true, false));
        assertThat(LinuxContainerRuntime.streams(sh().stdin(Stdio.NULL).stdout(Stdio.INHERIT).stderr(Stdio.INHERIT).build(), false))
                .isEqualTo(new Streams(false, false, false, true, true));
    }
}
