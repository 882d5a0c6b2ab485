package io.jcontainer.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The other containers jcontainer is compared with, each started as a whole process from Java
 * (ProcessBuilder), since that is what a Java program would have to do to use them.
 */
public enum Peer {
    BWRAP("bwrap", "bubblewrap", "--version"),
    CRUN("crun", "crun", "--version"),
    RUNC("runc", "runc", "--version");

    private static final AtomicLong IDS = new AtomicLong();

    public final String binary;
    public final String debianPackage;
    private final String versionFlag;

    Peer(String binary, String debianPackage, String versionFlag) {
        this.binary = binary;
        this.debianPackage = debianPackage;
        this.versionFlag = versionFlag;
    }

    public Optional<Path> path() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, binary);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    public boolean available() {
        return path().isPresent();
    }

    /** Why this peer's benchmarks are skipped, or null when it is installed. */
    public String missingReason() {
        return available() ? null : binary + " is not installed (apt-get install " + debianPackage + ")";
    }

    public String version() {
        return Fixture.output(binary, versionFlag).map(s -> s.lines().findFirst().orElse("")).orElse("not installed");
    }

    /** Whether crun must be wrapped in a per-call private mount namespace (slower) from this process. */
    public static boolean crunWrappedPerCall() {
        return Fixture.cgroup2WithControllersMounted();
    }

    /** The command line that runs {@code /bin/true} in the busybox root with this peer. */
    public List<String> command(Path bundle) {
        List<String> cmd = new ArrayList<>();
        switch (this) {
            case BWRAP -> cmd.addAll(List.of("bwrap", "--unshare-all", "--ro-bind", bundle.resolve("rootfs").toString(), "/",
                    "--proc", "/proc", "--dev", "/dev", "/bin/true"));
            case RUNC -> cmd.addAll(List.of("runc", "run", "--bundle", bundle.toString(), containerId("r")));
            case CRUN -> {
                Optional<String> cgroup2 = Fixture.cgroup2WithControllers();
                if (cgroup2.isPresent()) {
                    // Only when this JVM was not started in a mount namespace without the cgroup2
                    // mount (the harness does that for crun's JMH forks): correct, but slower.
                    cmd.addAll(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                            "umount " + cgroup2.get() + " && exec \"$@\"", "sh"));
                }
                cmd.addAll(List.of("crun", "run", "--bundle", bundle.toString(), containerId("c")));
            }
        }
        return cmd;
    }

    private static String containerId(String kind) {
        return "jcbench-" + kind + "-" + ProcessHandle.current().pid() + "-" + IDS.incrementAndGet();
    }
}
