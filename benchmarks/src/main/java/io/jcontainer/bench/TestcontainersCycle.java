package io.jcontainer.bench;

import com.github.dockerjava.api.DockerClient;
import io.jcontainer.Container;
import io.jcontainer.image.CommitOptions;
import io.jcontainer.image.Images;
import io.jcontainer.junit.Sandbox;
import io.jcontainer.junit.TestContainer;
import io.jcontainer.junit.Wait;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Issue 16's "a Testcontainers GenericContainer start → ready → stop against jcontainer's
 * service, and the same container through the JUnit extension in-process" — alternating rounds,
 * same JVM, same run.
 *
 * <ul>
 *   <li><b>Testcontainers</b>: {@code new GenericContainer(IMAGE).withCommand(sh -c "echo ready;
 *       exec sleep 600").waitingFor(forLogMessage(ready))}, {@code start()}, {@code stop()}, its
 *       docker-java client talking to {@code jcontainer system service} on the unix socket in
 *       {@code DOCKER_HOST} (Ryuk off, as a user of the service runs it).</li>
 *   <li><b>JUnit extension</b>: a JUnit run (the platform launcher, in this JVM) of a test class
 *       with one {@code @Sandbox} instance field — {@code Container.builder().image(IMAGE)} with
 *       the same command and {@link Wait#forLogLine} — and one test that checks it runs. Its time
 *       is the whole launcher call: discovery, the field's spec (the image store opened, the
 *       overlay root made), start, wait, test, close. JUnit's own work counts against us.</li>
 * </ul>
 * Both run the same image (the benchmark's busybox root imported once into the service's store
 * and once into this JVM's own store, {@code jcontainer.storage}), without a network (the
 * service runs with {@code JCONTAINER_DEFAULT_NETWORK=none}; the spec's default is a private
 * loopback-only namespace).
 *
 * <pre>benchmarks/run-testcontainers [ROUNDS]</pre>
 */
public final class TestcontainersCycle {
    static final String IMAGE = "localhost/bench/tc-busybox:1";
    static final String[] COMMAND = {"sh", "-c", "echo starting; echo ready; exec sleep 600"};

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path root = Fixture.ensureBundle().resolve("rootfs");
        Path tar = Files.createTempFile("jcontainer-tc-bench-", ".tar");
        try {
            writeTar(root, tar);
            importImages(tar);
        } finally {
            Files.deleteIfExists(tar);
        }

        Launcher launcher = LauncherFactory.create();
        List<Double> tc = new ArrayList<>(), ext = new ArrayList<>();
        for (int i = -warmups; i < rounds; i++) {
            double a = testcontainersCycle(), b = extensionCycle(launcher);
            if (i < 0) {
                System.out.printf(Locale.ROOT, "warm-up    testcontainers %7.1f ms   junit extension %6.1f ms%n", a, b);
                continue;
            }
            tc.add(a);
            ext.add(b);
            System.out.printf(Locale.ROOT, "round %2d   testcontainers %7.1f ms   junit extension %6.1f ms%n", i + 1, a, b);
        }
        double mt = median(tc), me = median(ext);
        System.out.printf(Locale.ROOT, "testcontainers (GenericContainer via the service)  median %7.1f ms  min %7.1f ms%n", mt, min(tc));
        System.out.printf(Locale.ROOT, "junit extension (@Sandbox, in-process)             median %7.1f ms  min %7.1f ms%n", me, min(ext));
        System.out.printf(Locale.ROOT, "junit extension / testcontainers: %.3f x (target <= 0.1 x)%n", me / mt);
    }

    /** One start → ready → stop of a Testcontainers GenericContainer; ms. */
    static double testcontainersCycle() {
        long t0 = System.nanoTime();
        try (GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withCommand(COMMAND)
                .waitingFor(org.testcontainers.containers.wait.strategy.Wait.forLogMessage(".*ready.*", 1))) {
            c.start();
            if (!c.isRunning()) throw new IllegalStateException("the Testcontainers container is not running after its start");
        } // close() = stop(): kill and remove
        return (System.nanoTime() - t0) / 1e6;
    }

    /** One JUnit run of {@link OneContainerTest}; ms. */
    static double extensionCycle(Launcher launcher) {
        LauncherDiscoveryRequest req = request().selectors(selectClass(OneContainerTest.class)).build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        long t0 = System.nanoTime();
        launcher.execute(req, summary);
        double ms = (System.nanoTime() - t0) / 1e6;
        TestExecutionSummary s = summary.getSummary();
        if (s.getTestsSucceededCount() != 1 || s.getTotalFailureCount() != 0) {
            var w = new java.io.StringWriter();
            s.printFailuresTo(new java.io.PrintWriter(w), 20);
            throw new IllegalStateException("the JUnit extension's test did not pass: " + s.getTestsSucceededCount()
                    + " passed, " + s.getTotalFailureCount() + " failed\n" + w);
        }
        return ms;
    }

    /** The extension's side: one container per test, declared as a field. */
    public static class OneContainerTest {
        @Sandbox
        final TestContainer box = TestContainer.of(Container.builder().image(IMAGE).command(COMMAND))
                .waitingFor(Wait.forLogLine("ready"));

        @Test
        void runs() {
            if (!box.container().isRunning()) throw new AssertionError("not running");
        }
    }

    /** The root as an uncompressed tar (what {@code docker import} takes). */
    static void writeTar(Path root, Path tar) throws IOException {
        try (OutputStream o = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(o);
             Stream<Path> walk = Files.walk(root)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : walk.sorted().toList()) {
                if (p.equals(root)) continue;
                String name = root.relativize(p).toString();
                TarArchiveEntry e;
                if (Files.isSymbolicLink(p)) {
                    e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(p).toString());
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    e = new TarArchiveEntry(name + "/");
                    e.setMode(0755);
                } else {
                    e = new TarArchiveEntry(name);
                    e.setSize(Files.size(p));
                    e.setMode(Files.isExecutable(p) ? 0755 : 0644);
                }
                t.putArchiveEntry(e);
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) Files.copy(p, t);
                t.closeArchiveEntry();
            }
        }
    }

    /**
     * {@code docker import} into the service, and into this JVM's store. Not through docker-java's
     * {@code createImageCmd(repo, InputStream)}: Testcontainers' transport sends {@code {}} as its
     * body instead of the tar. curl posts it as the docker CLI does.
     */
    static void importImages(Path tar) throws IOException, InterruptedException {
        String host = System.getenv("DOCKER_HOST");
        if (host == null || !host.startsWith("unix://")) throw new IllegalStateException("DOCKER_HOST must be unix:///PATH, not " + host);
        String repo = IMAGE.substring(0, IMAGE.lastIndexOf(':')), tag = IMAGE.substring(IMAGE.lastIndexOf(':') + 1);
        Process curl = new ProcessBuilder("curl", "-sSf", "--unix-socket", host.substring("unix://".length()),
                "-H", "Content-Type: application/x-tar", "--data-binary", "@" + tar,
                "http://docker/images/create?fromSrc=-&repo=" + java.net.URLEncoder.encode(repo, java.nio.charset.StandardCharsets.UTF_8) + "&tag=" + tag)
                .redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes());
        if (curl.waitFor() != 0) throw new IllegalStateException("importing " + IMAGE + " into the service failed: " + out);
        DockerClient client = DockerClientFactory.instance().client();
        client.inspectImageCmd(IMAGE).exec(); // Testcontainers sees it
        try (Images images = Images.open(); InputStream in = Files.newInputStream(tar)) {
            images.importImage(in, CommitOptions.defaults().withTags(IMAGE));
        }
    }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }
}
