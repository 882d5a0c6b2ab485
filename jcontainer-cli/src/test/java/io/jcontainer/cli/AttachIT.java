package io.jcontainer.cli;

import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.Syscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run -dit} and {@code attach} through ./jcontainer, one process per invocation: the
 * attaching CLI runs on a pseudo-terminal the test drives (as a user's terminal would be:
 * {@code setsid -c} makes it the CLI's controlling terminal, so resizing it sends SIGWINCH).
 */
@RequiresRoot
class AttachIT {
    private static final Syscalls SYS = NativeSyscalls.INSTANCE;

    @TempDir
    Path state;

    record Result(int code, String out, String err) {
    }

    @AfterEach
    void removeEverything() throws Exception {
        for (String id : cli("ps", "-a", "-q", "--no-trunc").out().split("\n")) if (!id.isBlank()) cli("rm", "-f", id);
    }

    private ProcessBuilder jcontainer(List<String> prefix, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of("..", "jcontainer").toAbsolutePath().normalize().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        pb.environment().put("JCONTAINER_STATE_DIR", state.toString());
        return pb;
    }

    Result cli(String... args) throws Exception {
        Process p = jcontainer(List.of(), args).redirectInput(new File("/dev/null")).redirectError(state.resolve("err").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("jcontainer " + String.join(" ", args)).isTrue();
        return new Result(p.exitValue(), out, Files.readString(state.resolve("err")));
    }

    /** A CLI whose stdin, stdout and stderr are a pty's slave, and the test's end, the master. */
    final class OnPty implements AutoCloseable {
        final int master;
        final Process process;
        private final StringBuilder seen = new StringBuilder();

        OnPty(int rows, int cols, String... args) throws Exception {
            int[] pty = SYS.openPty();
            master = pty[0];
            SYS.setWindowSize(master, rows, cols);
            File slave = new File("/proc/self/fd/" + pty[1]);
            try {
                process = jcontainer(List.of("setsid", "-c"), args).redirectInput(slave).redirectOutput(slave).redirectError(slave).start();
            } finally {
                SYS.close(pty[1]);
            }
            Thread.ofPlatform().daemon().start(() -> {
                byte[] buf = new byte[4096];
                try {
                    for (int n; (n = SYS.read(master, buf, 0, buf.length)) > 0; )
                        synchronized (seen) {
                            seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        }
                } catch (RuntimeException ignored) {
                    // EIO: the CLI is gone and so is every slave
                }
            });
        }

        void type(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            SYS.write(master, b, 0, b.length);
        }

        String seen() {
            synchronized (seen) {
                return seen.toString();
            }
        }

        void await(String text) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!seen().contains(text)) {
                if (System.nanoTime() > end) throw new AssertionError("no '" + text + "' on the terminal: " + seen());
                Thread.sleep(10);
            }
        }

        /** Types {@code command} until {@code expected} shows (a resize is applied asynchronously). */
        void retypeUntil(String command, String expected) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!seen().contains(expected)) {
                if (System.nanoTime() > end) throw new AssertionError("no '" + expected + "' on the terminal: " + seen());
                type(command);
                Thread.sleep(200);
            }
        }

        int exitCode() throws InterruptedException {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the attaching CLI ends; terminal: " + seen()).isTrue();
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
            SYS.closeQuietly(master);
        }
    }

    @Test
    void runDitThenAttachTypeResizeDetachReattachAndExit() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        Result run = cli("run", "-dit", "--name", "sh1", "--rootfs", rootfs, "/bin/sh");
        assertThat(run.code()).as(run.err()).isZero();
        String id = run.out().trim();
        assertThat(state.resolve(id).resolve("attach")).exists();

        try (OnPty a = new OnPty(33, 101, "attach", "sh1")) {
            a.type("echo hi-$((6*7))\r");
            a.await("hi-42");
            a.retypeUntil("stty size\r", "33 101"); // the size at attach
            SYS.setWindowSize(a.master, 40, 120);     // SIGWINCH to the CLI, a resize frame to the monitor
            a.retypeUntil("stty size\r", "40 120");
            a.type("\u0010\u0011");
            assertThat(a.exitCode()).isZero();
            a.await("read escape sequence");
        }
        assertThat(cli("ps").out()).contains(id.substring(0, 12)).contains("Up ");
        Result top = cli("top", "sh1");
        assertThat(top.out()).contains("/bin/sh");

        try (OnPty b = new OnPty(24, 80, "attach", "--detach-keys", "ctrl-x,y", "sh1")) {
            b.type("echo back-$((2+3))\r");
            b.await("back-5");
            b.type("\u0018y");
            assertThat(b.exitCode()).isZero();
        }
        try (OnPty c = new OnPty(24, 80, "attach", "sh1")) {
            c.type("exit 3\r");
            assertThat(c.exitCode()).isEqualTo(3); // docker attach ends with the container's status
        }
        assertThat(cli("ps", "-a").out()).contains("Exited (3)");
        String logs = cli("logs", "sh1").out();
        assertThat(logs).contains("hi-42").contains("back-5");

        Result stopped = cli("attach", "sh1");
        assertThat(stopped.code()).isEqualTo(1);
        assertThat(stopped.err()).contains("You cannot attach to a stopped container, start it first");
    }

    @Test
    void runDiCatEchoesWhatAnAttachSendsAndRmForceLeavesNothing() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        Result run = cli("run", "-di", "--name", "cat1", "--rootfs", rootfs, "/bin/cat");
        assertThat(run.code()).as(run.err()).isZero();
        String id = run.out().trim();
        String inspect = cli("inspect", "cat1").out();
        long monitor = Long.parseLong(inspect.replaceAll("(?s).*\"MonitorPid\" : (\\d+).*", "$1"));

        Process p = jcontainer(List.of(), "attach", "cat1").redirectError(state.resolve("attach-err").toFile()).start();
        OutputStream in = p.getOutputStream();
        in.write("ping-cat\n".getBytes());
        in.flush();
        byte[] expect = "ping-cat\n".getBytes();
        assertThat(p.getInputStream().readNBytes(expect.length)).isEqualTo(expect);
        in.write(new byte[]{0x10, 0x11}); // ctrl-p ctrl-q detaches without a terminal too
        in.flush();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(state.resolve("attach-err"))).isZero();

        assertThat(cli("ps", "-q").out().trim()).isEqualTo(id.substring(0, 12));
        assertThat(cli("logs", "cat1").out()).isEqualTo("ping-cat\n");
        assertThat(cli("rm", "-f", "cat1").code()).isZero();
        // the monitor is gone (at most a zombie until whoever inherited it reaps it)
        String stat = Files.exists(Path.of("/proc/" + monitor + "/stat")) ? Files.readString(Path.of("/proc/" + monitor + "/stat")) : "";
        assertThat(stat.isEmpty() || stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")).as(stat).isTrue();
        assertThat(state.resolve(id)).doesNotExist();
    }

    @Test
    void withoutATerminalSignalsToTheAttachingCliGoToTheContainer() throws Exception {
        Result run = cli("run", "-d", "--name", "trap", "--rootfs", TestRootfs.busybox().toString(), "/bin/sh", "-c",
                "trap 'echo got-term; exit 7' TERM; while :; do echo tick; sleep 0.1; done");
        assertThat(run.code()).as(run.err()).isZero();
        Process p = jcontainer(List.of(), "attach", "trap").redirectInput(new File("/dev/null"))
                .redirectError(state.resolve("attach-err").toFile()).start();
        var out = p.getInputStream();
        assertThat(new String(out.readNBytes(5))).isEqualTo("tick\n"); // attached, handlers installed
        p.toHandle().destroy(); // SIGTERM to the CLI (the script execs java)
        assertThat(new String(out.readAllBytes())).contains("got-term");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(state.resolve("attach-err"))).isEqualTo(7);
    }

    @Test
    void aRestartPolicyEndsTheSessionWithTheRunsStatusAndTheNextRunCanBeAttached() throws Exception {
        Result run = cli("run", "-di", "--restart", "always", "--name", "again", "--rootfs", TestRootfs.busybox().toString(), "/bin/sh");
        assertThat(run.code()).as(run.err()).isZero();
        Process first = jcontainer(List.of(), "attach", "again").redirectError(state.resolve("attach-err").toFile()).start();
        first.getOutputStream().write("exit 3\n".getBytes());
        first.getOutputStream().flush();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(Files.readString(state.resolve("attach-err"))).isEqualTo(3);

        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // the monitor starts it again after its back-off
        while (!cli("ps").out().contains("again")) {
            if (System.nanoTime() > end) // say what state it is in, for a failure seen once under heavy load
                throw new AssertionError("not restarted in 60 s: " + cli("ps", "-a").out() + cli("inspect", "again").out());
            Thread.sleep(50);
        }
        Process second = jcontainer(List.of(), "attach", "again").redirectError(state.resolve("attach-err").toFile()).start();
        second.getOutputStream().write("echo run-$((1+1))\n".getBytes());
        second.getOutputStream().flush();
        assertThat(new String(second.getInputStream().readNBytes(6))).isEqualTo("run-2\n");
        second.getOutputStream().write(new byte[]{0x10, 0x11});
        second.getOutputStream().flush();
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isZero();
    }

    /** The container directories left in the state store (docker ps -a would list them). */
    private List<String> records() throws Exception {
        try (var ds = Files.list(state)) {
            return ds.filter(Files::isDirectory).map(d -> d.getFileName().toString()).toList();
        }
    }

    @Test
    void runItDetachesWithCtrlPCtrlQLeavingItRunningAndAttachEndsWithItsStatus() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        try (OnPty run = new OnPty(33, 101, "run", "-it", "--rm", "--name", "it1", "--rootfs", rootfs, "/bin/sh")) {
            run.type("echo hi-$((6*7))\r");
            run.await("hi-42");
            run.retypeUntil("stty size\r", "33 101"); // the CLI's size reached the monitor's terminal
            run.type("sleep 1000\r");
            // raw mode: ctrl-c is a byte to the container's terminal, whose line discipline interrupts sleep (and
            // flushes what was typed after it). Typed again until the echo after it shows: a ctrl-c that came
            // before the shell started sleep went to the shell, and sleep 1000 would hold the echo back.
            run.retypeUntil("\u0003echo still-$((5+5))\r", "still-10");
            String inspect = cli("inspect", "it1").out(); // while attached: docker's Config of run -it
            assertThat(inspect).contains("\"Tty\" : true").contains("\"OpenStdin\" : true").contains("\"AttachStdin\" : true")
                    .contains("\"AttachStdout\" : true").contains("\"AttachStderr\" : true").contains("\"AutoRemove\" : true");
            run.type("\u0010\u0011");
            assertThat(run.exitCode()).isZero();
            run.await("read escape sequence");
        }
        Result ps = cli("ps");
        assertThat(ps.out()).contains("it1").contains("Up ");
        try (OnPty a = new OnPty(24, 80, "attach", "it1")) {
            a.type("echo back-$((2+3))\r");
            a.await("back-5");
            a.type("exit 3\r");
            assertThat(a.exitCode()).isEqualTo(3); // the container's status
        }
        // --rm: the attach that saw it end removed it
        assertThat(cli("ps", "-a", "-q").out()).isEmpty();
        assertThat(records()).isEmpty();
    }

    @Test
    void runItEndingWhileAttachedExitsWithItsStatusAndLeavesNoRecord() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        try (OnPty run = new OnPty(24, 80, "run", "-it", "--rm", "--rootfs", rootfs, "/bin/sh")) {
            run.type("echo on-$((1+1))\r");
            run.await("on-2");
            run.type("exit 4\r");
            assertThat(run.exitCode()).isEqualTo(4);
        }
        assertThat(records()).isEmpty();
        // killed by a signal while attached: 128+n, as docker run
        try (OnPty run = new OnPty(24, 80, "run", "-t", "--rm", "--name", "k", "--rootfs", rootfs, "/bin/sh", "-c", "echo ready; exec sleep 1000")) {
            run.await("ready");
            assertThat(cli("kill", "k").code()).isZero();
            assertThat(run.exitCode()).isEqualTo(137);
        }
        assertThat(records()).isEmpty();
    }

    /**
     * tty(1) inside -t names the terminal: the host's pty is bound as /dev/console and opened there,
     * so ttyname(3) resolves /proc/self/fd/0 inside the container (it said "not a tty" before).
     */
    @Test
    void ttyInsideRunTNamesTheTerminal() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        Result r = cli("run", "-t", "--rm", "--rootfs", rootfs, "/bin/sh", "-c", "tty; readlink /proc/self/fd/0; readlink /proc/self/fd/2; test -t 1 && echo t");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out().replace("\r", "")).isEqualTo("/dev/console\n/dev/console\n/dev/console\nt\n");
        // the embedded default root, detached, seen from exec
        assertThat(cli("run", "-dt", "--name", "tt", "sh", "-c", "tty > /tmp/tty; exec sleep 1000").code()).isZero();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Result seen;
        do {
            seen = cli("exec", "tt", "cat", "/tmp/tty");
        } while (!seen.out().contains("/dev/console") && System.nanoTime() < end && sleep(100));
        assertThat(seen.out()).isEqualTo("/dev/console\n");
        assertThat(cli("rm", "-f", "tt").code()).isZero();
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    @Test
    void runTPrintsWhatThePayloadWroteBeforeTheAttachAndItsStatus() throws Exception {
        // not a terminal here: no raw mode; the output still comes through the monitor's terminal
        Result r = cli("run", "-t", "--rm", "--rootfs", TestRootfs.busybox().toString(), "/bin/sh", "-c", "echo early-$((2+3)); exit 6");
        assertThat(r.code()).as(r.err()).isEqualTo(6);
        assertThat(r.out()).contains("early-5");
        assertThat(records()).isEmpty();
        Result missing = cli("run", "-t", "--rootfs", TestRootfs.busybox().toString(), "/nope");
        assertThat(missing.code()).isEqualTo(127);
        assertThat(records()).isEmpty();
    }

    @Test
    void aDetachedRunItIsRemovedOnceItExitsWithNobodyAttached() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        try (OnPty run = new OnPty(24, 80, "run", "-it", "--rm", "--name", "later", "--rootfs", rootfs, "/bin/sh")) {
            run.type("echo up-$((4+4))\r");
            run.await("up-8");
            run.type("\u0010\u0011");
            assertThat(run.exitCode()).isZero();
        }
        assertThat(cli("stop", "-t", "1", "later").code()).isZero();
        // docker's daemon removes an --rm container as it exits; here the next command does
        assertThat(cli("ps", "-a", "--filter", "name=later").out()).doesNotContain("later");
        assertThat(records()).isEmpty();
    }

    @Test
    void runDRmIsRemovedOnceItExitsAndConflictsWithARestartPolicy() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        assertThat(cli("run", "-d", "--rm", "--name", "gone", "--rootfs", rootfs, "/bin/sleep", "1000").code()).isZero();
        assertThat(cli("inspect", "gone").out()).contains("\"AutoRemove\" : true");
        assertThat(cli("stop", "-t", "0", "gone").code()).isZero();
        assertThat(cli("ps", "-a", "-q").out()).isEmpty();
        assertThat(records()).isEmpty();
        Result conflict = cli("run", "-d", "--rm", "--restart", "always", "--rootfs", rootfs, "/bin/true");
        assertThat(conflict.code()).isEqualTo(125);
        assertThat(conflict.err()).contains("Conflicting options: --restart and --rm");
    }

    @Test
    void execItFollowsTheTerminalsSize() throws Exception {
        Result run = cli("run", "-d", "--name", "sleeper", "--rootfs", TestRootfs.busybox().toString(), "/bin/sleep", "1000");
        assertThat(run.code()).as(run.err()).isZero();
        try (OnPty x = new OnPty(33, 101, "exec", "-it", "sleeper", "/bin/sh")) {
            x.retypeUntil("stty size\r", "33 101"); // the size at exec
            SYS.setWindowSize(x.master, 40, 120);     // SIGWINCH to the CLI: TIOCSWINSZ on the exec's terminal
            x.retypeUntil("stty size\r", "40 120");
            x.type("exit 2\r");
            assertThat(x.exitCode()).isEqualTo(2);
        }
    }

    @Test
    void ctrlPCtrlQLeavesAnExecItRunningAsDocker() throws Exception {
        Result run = cli("run", "-d", "--name", "host", "--rootfs", TestRootfs.busybox().toString(), "/bin/sleep", "1000");
        assertThat(run.code()).as(run.err()).isZero();
        try (OnPty x = new OnPty(24, 80, "exec", "-it", "host", "/bin/sh", "-c", "echo in-exec; exec sleep 999")) {
            x.await("in-exec");
            x.type("\u0010\u0011");
            assertThat(x.exitCode()).isZero();
        }
        // the exec'd process outlived the CLI that started it (its own monitor), as docker's
        assertThat(cli("exec", "host", "/bin/ps").out()).contains("sleep 999");
        Result d = cli("exec", "-d", "host", "/bin/sleep", "998");
        assertThat(d.code()).as(d.err()).isZero();
        assertThat(cli("exec", "host", "/bin/ps").out()).contains("sleep 998");
    }

    @Test
    void inspectShowsTheStreamsOfDetachedRuns() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        assertThat(cli("run", "-dit", "--name", "dit", "--rootfs", rootfs, "/bin/sh").code()).isZero();
        assertThat(cli("run", "-d", "--name", "d", "--rootfs", rootfs, "/bin/sleep", "1000").code()).isZero();
        assertThat(cli("inspect", "dit").out()).contains("\"Tty\" : true").contains("\"OpenStdin\" : true")
                .contains("\"AttachStdin\" : false").contains("\"AttachStdout\" : false").contains("\"AutoRemove\" : false");
        assertThat(cli("inspect", "d").out()).contains("\"Tty\" : false").contains("\"OpenStdin\" : false")
                .contains("\"AttachStdin\" : false").contains("\"AttachStderr\" : false");
    }

    @Test
    void attachToAStoppedOrUnknownContainerFailsLikeDocker() throws Exception {
        Result run = cli("run", "-d", "--name", "done", "--rootfs", TestRootfs.busybox().toString(), "/bin/true");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(cli("wait", "done").out()).isEqualTo("0\n");
        Result a = cli("attach", "done");
        assertThat(a.code()).isEqualTo(1);
        assertThat(a.err()).isEqualTo("jcontainer: You cannot attach to a stopped container, start it first\n");
        Result none = cli("attach", "nope");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("No such container: nope");
        Result keys = cli("attach", "--detach-keys", "ctrl-1", "done");
        assertThat(keys.code()).isEqualTo(125);
        assertThat(keys.err()).contains("Unrecognized input key: ctrl-1");
    }
}
