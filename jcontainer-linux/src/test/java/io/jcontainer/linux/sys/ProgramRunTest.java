package io.jcontainer.linux.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real programs through the real seam: no root needed. */
class ProgramRunTest {
    static final Syscalls SYS = NativeSyscalls.INSTANCE;

    static ProgramRun.Result sh(String script, String stdin, Duration timeout, int keep) throws InterruptedException {
        return ProgramRun.run(SYS, "/bin/sh", List.of("sh", "-c", script), List.of("X=y"), stdin.getBytes(StandardCharsets.UTF_8), timeout, keep);
    }

    @Test
    void stdinIsFedOutputCollectedAndTheExitReported() throws Exception {
        var r = sh("cat; echo \" $X\"; echo err >&2; exit 3", "in", Duration.ofSeconds(10), 1024);
        assertThat(r.exited()).isTrue();
        assertThat(r.status()).isEqualTo(3);
        assertThat(r.succeeded()).isFalse();
        assertThat(r.output()).isEqualTo("in y\nerr\n");
        assertThat(sh("head -c 100000 /dev/zero", "", null, 10).output()).hasSize(10);
    }

    @Test
    void pastItsTimeoutTheWholeGroupIsKilled(@TempDir Path tmp) throws Exception {
        Path pids = tmp.resolve("pids");
        var r = sh("sleep 1000 & echo $! > " + pids + "; echo waiting; wait", "", Duration.ofMillis(300), 1024);
        assertThat(r.timedOut()).isTrue();
        assertThat(r.output()).isEqualTo("waiting\n");
        long sleeper = Long.parseLong(Files.readString(pids).strip());
        for (int i = 0; i < 200 && ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false); i++) Thread.sleep(10);
        assertThat(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aMissingProgramIsASyscallErrorNamingIt() {
        assertThatThrownBy(() -> ProgramRun.run(SYS, "/no/such/program", List.of("x"), List.of(), new byte[0], null, 10))
                .isInstanceOf(SyscallException.class).hasMessageContaining("/no/such/program").hasMessageContaining("ENOENT");
    }
}
