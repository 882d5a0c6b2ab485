package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.Stdio;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.TestRootfs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM for cross-process tests: {@code ChildJvm STORE-DIR detached|attached NAME}
 * starts {@code sleep 1000} in a busybox container recorded in STORE-DIR, prints
 * "ID PID" and then exits (detached) or sleeps until killed (attached).
 */
public final class ChildJvm {
    public static void main(String[] args) throws Exception {
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, new ContainerStore(Path.of(args[0])));
        boolean detached = args[1].equals("detached");
        Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).name(args[2]).detached(detached)
                .stdout(Stdio.NULL).stderr(Stdio.NULL).command("/bin/sleep", "1000").build());
        System.out.println(c.id() + " " + c.pid());
        System.out.flush();
        if (detached) {
            c.close(); // lets go of it: it lives on
            System.exit(0);
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Starts this class in a new JVM with the test class path; the caller reads its first line. */
    static Process start(Path store, String mode, String name) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",  "-cp", System.getProperty("java.class.path"),
                "-Duser.dir=" + System.getProperty("user.dir"), ChildJvm.class.getName(), store.toString(), mode, name));
        return new ProcessBuilder(cmd).directory(Path.of(System.getProperty("user.dir")).toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    static void reap(Process p) throws InterruptedException {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
    }
}
