package io.jcontainer.linux;

import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresRoot
class SmokeTest {
    @Test
    void echoesFromBusybox() {
        var r = TestRuns.run(TestRuns.busybox().hostname("job-42").command("/bin/sh", "-c", "echo hello from $(hostname)"));
        assertThat(r.code()).isZero();
        assertThat(r.stdout()).isEqualTo("hello from job-42\n");
    }
}
