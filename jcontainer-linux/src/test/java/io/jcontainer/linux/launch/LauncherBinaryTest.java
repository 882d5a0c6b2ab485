package io.jcontainer.linux.launch;

import io.jcontainer.linux.plan.Op;
import io.jcontainer.linux.plan.Plan;
import io.jcontainer.linux.plan.PlanEncoder;
import io.jcontainer.linux.plan.SyscallId;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.Syscalls;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every launcher embedded in the jar speaks the protocol: the host's natively, the other
 * architecture's under qemu-user (which passes execve of a host binary through natively). No
 * namespaces here: this is about the binary and the wire format, not the kernel features.
 */
class LauncherBinaryTest {
    static final Syscalls SYS = NativeSyscalls.INSTANCE;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void reportsAFailedExecPrecisely(String arch) throws Exception {
        var frames = run(arch, new Op.Exec("/no/such/program", List.of("x"), List.of()));
        assertThat(frames).hasSize(1);
        ControlChannel.Frame f = frames.getFirst();
        assertThat(f.type()).isEqualTo(ControlChannel.MSG_FAILED);
        assertThat(f.int32(0)).as("phase: child").isEqualTo(3);
        assertThat(f.int32(1)).as("op index").isZero();
        assertThat(SyscallId.of(f.int32(3))).isEqualTo(SyscallId.EXECVE);
        assertThat(Errno.name(f.int32(4))).isEqualTo("ENOENT");
        assertThat(f.string(24)).isEqualTo("/no/such/program");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void startsAndReportsTheExit(String arch) throws Exception {
        var frames = run(arch, new Op.Chdir("/"), new Op.Exec("/bin/busybox", List.of("sh", "-c", "exit 7"), List.of()));
        assertThat(frames).extracting(ControlChannel.Frame::type).containsExactly(ControlChannel.MSG_STARTED, ControlChannel.MSG_EXITED);
        assertThat(frames.get(1).int32(0)).isEqualTo(Syscalls.WaitStatus.CLD_EXITED);
        assertThat(frames.get(1).int32(1)).isEqualTo(7);
    }

    /** The same through the spawn server (--serve): one request, the forked launcher speaks as a spawned one. */
    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void theSpawnServerForksALauncherThatStartsAndReportsTheExit(String arch) throws Exception {
        var frames = run(arch, true, new Op.Chdir("/"), new Op.Exec("/bin/busybox", List.of("sh", "-c", "exit 5"), List.of()));
        assertThat(frames).extracting(ControlChannel.Frame::type).containsExactly(ControlChannel.MSG_STARTED, ControlChannel.MSG_EXITED);
        assertThat(frames.getFirst().int32(1)).as("STARTED names the launcher").isPositive();
        assertThat(frames.get(1).int32(1)).isEqualTo(5);
    }

    private List<ControlChannel.Frame> run(String arch, Op... ops) throws Exception {
        return run(arch, false, ops);
    }

    private List<ControlChannel.Frame> run(String arch, boolean server, Op... ops) throws Exception {
        String host = LauncherImage.resourceName().contains("x86_64") ? "x86_64" : "aarch64";
        Path launcher = tmp.resolve("launcher-" + arch);
        try (InputStream in = getClass().getResourceAsStream("/io/jcontainer/linux/native/linux-" + arch + "/jcontainer-launcher")) {
            assertThat(in).as("the jar embeds a launcher for " + arch).isNotNull();
            Files.copy(in, launcher);
        }
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        String exe = launcher.toString();
        List<String> argv = new ArrayList<>(List.of(exe));
        if (!arch.equals(host)) {
            Path qemu = Path.of("/usr/bin/qemu-" + arch + "-static");
            if (!Files.isExecutable(qemu)) {
                if ("true".equals(System.getenv("CI"))) throw new AssertionError("CI must install qemu-user-static to test the " + arch + " launcher");
                Assumptions.abort("qemu-user-static is not installed: cannot run the " + arch + " launcher here");
            }
            exe = qemu.toString();
            argv.addFirst(exe);
        }
        int devnull = SYS.open("/dev/null", Syscalls.O_RDWR | Syscalls.O_CLOEXEC, 0);
        int[] ctl = SYS.socketpair();
        int pid, serverSocket = -1;
        if (server) {
            int[] srv = SYS.seqpacketPair();
            argv.add("--serve");
            pid = SYS.spawn(exe, new int[]{devnull, devnull, devnull, srv[1]}, argv, List.of());
            SYS.close(srv[1]);
            serverSocket = srv[0];
            SYS.sendFds(serverSocket, java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt(SpawnServer.MAGIC).array(), new int[]{devnull, devnull, devnull, ctl[1]});
        } else {
            pid = SYS.spawn(exe, new int[]{devnull, devnull, devnull, ctl[1]}, argv, List.of());
        }
        SYS.close(ctl[1]);
        SYS.close(devnull);
        ControlChannel channel = new ControlChannel(SYS, ctl[0]);
        try {
            channel.sendPlan(PlanEncoder.encodeFramed(new Plan(0, Plan.KILL_ON_EOF, List.of(), List.of(), List.of(ops))));
            List<ControlChannel.Frame> frames = new ArrayList<>();
            for (ControlChannel.Frame f; (f = channel.read()) != null; ) frames.add(f);
            return frames;
        } finally {
            channel.close();
            if (serverSocket >= 0) SYS.close(serverSocket); // EOF: the server exits
            var st = SYS.waitPid(pid, false);
            if (server) assertThat(st.status()).as("the server exits cleanly on EOF").isZero();
        }
    }
}
