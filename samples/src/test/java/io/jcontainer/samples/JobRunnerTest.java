package io.jcontainer.samples;

import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.samples.JobRunner.JobResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The job runner on the real kernel: output and exit codes, the deadline, the bounds, the isolation. */
@RequiresRoot
class JobRunnerTest {
    private final JobRunner runner = new JobRunner(null);

    @Test
    void collectsOutputAndExitCode() throws Exception {
        JobResult r = runner.run("echo $((6 * 7)); echo oops >&2; exit 3", Duration.ofSeconds(10));
        assertThat(r.stdout()).isEqualTo("42\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.timedOut()).isFalse();
    }

    @Test
    void aJobPastItsDeadlineIsKilled() throws Exception {
        // a deadline that leaves the shell time to read its script and echo, also on a loaded machine (0.5 s
        // was tight there): what came out before the kill is kept
        JobResult r = runner.run("echo started; sleep 60", Duration.ofSeconds(3));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(128 + 9);
        assertThat(r.stdout()).isEqualTo("started\n");
        assertThat(r.took()).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void outputBeyondTheLimitIsDroppedNotBuffered() throws Exception {
        JobResult r = runner.run("yes 0123456789 | head -c 5000000; echo done >&2", Duration.ofSeconds(20));
        assertThat(r.truncated()).isTrue();
        assertThat(r.stdout()).hasSize(JobRunner.OUTPUT_LIMIT);
        assertThat(r.stderr()).isEqualTo("done\n");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void aJobHasNoNetworkNoCapabilitiesAndAReadOnlyRoot() throws Exception {
        JobResult r = runner.run("""
                ls /sys/class/net | tr '\\n' ' '; echo
                grep CapEff /proc/self/status
                touch /usr/x 2>/dev/null && echo wrote-root || echo root-read-only
                echo ok > /tmp/scratch && cat /tmp/scratch
                """, Duration.ofSeconds(10));
        assertThat(r.stdout()).isEqualTo("lo \nCapEff:\t0000000000000000\nroot-read-only\nok\n");
    }

    @Test
    void jobsDoNotSeeEachOther() throws Exception {
        assertThat(runner.run("echo left-behind > /tmp/mark; ls /tmp", Duration.ofSeconds(10)).stdout()).isEqualTo("mark\n");
        assertThat(runner.run("ls /tmp; ps -o pid= 2>/dev/null | wc -l", Duration.ofSeconds(10)).stdout()).doesNotContain("mark");
    }
}
