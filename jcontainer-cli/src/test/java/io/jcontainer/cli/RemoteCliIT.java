package io.jcontainer.cli;

import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.testing.TestImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./jcontainer -H …} and {@code DOCKER_HOST}: the CLI as a client of a real
 * {@code ./jcontainer system service} (its own state and image store), on a unix socket and on
 * loopback TCP with TLS and client certificates (a CA made by openssl for the test). The client
 * processes have neither the service's state directory nor its store: what they see comes
 * through the API.
 */
@RequiresRoot
@org.junit.jupiter.api.Timeout(value = 180, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class RemoteCliIT {
    @TempDir
    static Path dir;
    static Process service;
    static Path sock;
    static int tlsPort;
    static Path certs;
    // a registry on loopback that nobody serves: a lookup that misses never leaves the machine
    static String ref = "127.0.0.1:1/jc-remote/busybox:1";

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = Map.of("JCONTAINER_STATE_DIR", dir.resolve("state").toString(),
                "JCONTAINER_STORAGE", dir.resolve("store").toString());
        Path archive = TestImage.busybox("from the remote store").writeArchive(dir.resolve("in.tar"), ref);
        var load = run(env, null, "load", "-i", archive.toString());
        assertThat(load.code()).as(load.toString()).isZero();

        certs = Files.createDirectories(dir.resolve("certs"));
        makeCerts(certs);
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            tlsPort = s.getLocalPort();
        }
        sock = dir.resolve("run/docker.sock");
        List<String> cmd = new ArrayList<>(List.of(jcontainer(), "system", "service", "-H", "unix://" + sock, "-H", "tcp://127.0.0.1:" + tlsPort,
                "--tlsverify", "--tlscacert", certs.resolve("ca.pem").toString(), "--tlscert", certs.resolve("server-cert.pem").toString(),
                "--tlskey", certs.resolve("server-key.pem").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        pb.environment().put("JCONTAINER_DEFAULT_NETWORK", "none");
        service = pb.start();
        BufferedReader err = new BufferedReader(new InputStreamReader(service.getErrorStream(), StandardCharsets.UTF_8));
        String line = err.readLine();
        assertThat(line).as("the service's first line").startsWith("jcontainer: API listening on");
        Thread.ofVirtual().start(() -> {
            try {
                err.transferTo(java.io.Writer.nullWriter()); // keep its stderr drained
            } catch (java.io.IOException ignored) {
                // it ended
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            var left = client(null, "ps", "-a", "-q", "--no-trunc");
            for (String id : left.out().split("\n")) if (!id.isBlank()) client(null, "rm", "-f", id);
            service.destroy(); // SIGTERM: the service closes and removes its socket
            assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void runPsLogsExecRmOverTheUnixSocket() throws Exception {
        var version = ok("version");
        assertThat(version.out()).contains("Server:").contains("API version:");

        assertThat(ok("run", "--rm", ref).out()).isEqualTo("from the remote store");
        assertThat(ok("run", "--rm", "-e", "A=1 2", ref, "-c", "echo \"$A\" $(pwd); echo to-err >&2").out()).isEqualTo("1 2 /tmp\n");
        assertThat(client(null, "run", "--rm", ref, "-c", "echo to-err >&2").err()).isEqualTo("to-err\n");
        assertThat(client(null, "run", "--rm", ref, "-c", "exit 3").code()).isEqualTo(3);
        // a stored image's container writes to an overlay of its own, as with docker
        assertThat(ok("run", "--rm", ref, "-c", "echo x > /f && cat /f").out()).isEqualTo("x\n");
        // -i: stdin reaches the container
        assertThat(client("piped\n", "run", "--rm", "-i", ref, "-c", "read l; echo got $l").out()).isEqualTo("got piped\n");

        String id = ok("run", "-d", "--name", "web", "-l", "k=v", ref, "-c", "echo started; exec sleep 60").out().strip();
        assertThat(id).matches("[0-9a-f]{64}");
        var ps = ok("ps");
        assertThat(ps.out()).startsWith("CONTAINER ID   IMAGE").contains(id.substring(0, 12)).contains(ref).contains("Up ").contains("web");
        assertThat(ok("ps", "-q", "--filter", "label=k=v").out()).isEqualTo(id.substring(0, 12) + "\n");
        assertThat(ok("ps", "-q", "--filter", "label=k=other").out()).isEmpty();
        waitForLog("web", "started\n");
        var exec = client(null, "exec", "web", "sh", "-c", "echo in; exit 4");
        assertThat(exec.out()).isEqualTo("in\n");
        assertThat(exec.code()).isEqualTo(4);
        assertThat(client("typed\n", "exec", "-i", "web", "sh", "-c", "read l; echo got $l").out()).isEqualTo("got typed\n");
        // the container reads the end of its input (cat ends), and what it prints after comes back
        assertThat(client("one\ntwo\n", "exec", "-i", "web", "sh", "-c", "cat; echo after-eof").out()).isEqualTo("one\ntwo\nafter-eof\n");
        assertThat(client("piped\n", "run", "--rm", "-i", ref, "-c", "cat; echo after-eof").out()).isEqualTo("piped\nafter-eof\n");
        assertThat(ok("inspect", "--format", "{{.Name}} {{.State.Running}}", "web").out()).isEqualTo("/web true\n");
        assertThat(ok("top", "web").out()).contains("PID").contains("sleep");
        assertThat(ok("pause", "web").out()).isEqualTo("web\n");
        assertThat(ok("ps", "--format", "{{.Status}}").out()).contains("(Paused)");
        assertThat(ok("unpause", "web").out()).isEqualTo("web\n");
        ok("rename", "web", "web2");
        ok("rename", "web2", "web");
        assertThat(ok("stop", "-t", "1", "web").out()).isEqualTo("web\n");
        assertThat(ok("ps", "-a", "--format", "{{.Names}} {{.State}}").out()).contains("web exited");
        assertThat(ok("rm", "web").out()).isEqualTo("web\n");
        assertThat(ok("ps", "-a", "-q").out()).isEmpty();

        var missing = client(null, "logs", "nothing");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("Error response from daemon").contains("nothing");
    }

    @Test
    void dockerHostPointsTheSameCliAtTheService() throws Exception {
        ProcessBuilder pb = cliProcess(List.of("images"));
        pb.environment().put("DOCKER_HOST", "unix://" + sock);
        var images = CliProcess.collect(pb, "DOCKER_HOST=… images");
        assertThat(images.code()).as(images.toString()).isZero();
        assertThat(images.out()).contains("127.0.0.1:1/jc-remote/busybox");

        pb = cliProcess(List.of("run", "--rm", ref, "-c", "echo via DOCKER_HOST"));
        pb.environment().put("DOCKER_HOST", "unix://" + sock);
        var run = CliProcess.collect(pb, "DOCKER_HOST=… run");
        assertThat(run.out()).as(run.toString()).isEqualTo("via DOCKER_HOST\n");
    }

    @Test
    void tlsWithClientCertificates() throws Exception {
        List<String> tls = List.of("-H", "tcp://127.0.0.1:" + tlsPort, "--tlsverify", "--tlscacert", certs.resolve("ca.pem").toString(),
                "--tlscert", certs.resolve("cert.pem").toString(), "--tlskey", certs.resolve("key.pem").toString());
        List<String> args = new ArrayList<>(tls);
        args.addAll(List.of("run", "--rm", ref, "-c", "echo over tls"));
        var run = CliProcess.collect(cliProcess(args), "run over TLS");
        assertThat(run.out()).as(run.toString()).isEqualTo("over tls\n");
        // stdin's end over TLS is a close_notify: the container reads EOF, its output still comes
        List<String> piped = new ArrayList<>(tls);
        piped.addAll(List.of("run", "--rm", "-i", ref, "-c", "cat; echo after-eof"));
        var in = withInput(cliProcess(piped), "over tls\n");
        assertThat(in.out()).as(in.toString()).isEqualTo("over tls\nafter-eof\n");

        // docker's environment: DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem)
        ProcessBuilder pb = cliProcess(List.of("ps", "-a"));
        pb.environment().putAll(Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + tlsPort, "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", certs.toString()));
        var ps = CliProcess.collect(pb, "ps over TLS from the environment");
        assertThat(ps.code()).as(ps.toString()).isZero();
        assertThat(ps.out()).startsWith("CONTAINER ID");

        // without a client certificate the service refuses the handshake
        var anonymous = CliProcess.collect(cliProcess(List.of("-H", "tcp://127.0.0.1:" + tlsPort, "--tlsverify",
                "--tlscacert", certs.resolve("ca.pem").toString(), "--tlscert", dir.resolve("none.pem").toString(),
                "--tlskey", dir.resolve("none.pem").toString(), "ps")), "ps without a client certificate");
        assertThat(anonymous.code()).isNotZero();
    }

    @Test
    void whatIsMeaninglessRemotelyIsRefusedByName() throws Exception {
        var rootfs = client(null, "run", "--rm", "--rootfs", "/", "true");
        assertThat(rootfs.code()).isEqualTo(125);
        assertThat(rootfs.err()).contains("--rootfs");
        var flag = client(null, "run", "--rm", "--health-cmd", "true", ref);
        assertThat(flag.code()).isEqualTo(125);
        assertThat(flag.err()).contains("--health-cmd is not supported against a remote daemon");
        var service = client(null, "serve");
        assertThat(service.code()).isEqualTo(125);
        assertThat(service.err()).contains("-H/--host");
        var systemService = client(null, "system", "service");
        assertThat(systemService.code()).isEqualTo(125);
        assertThat(systemService.err()).contains("-H/--host");
    }

    /** cp both ways (bytes compared), diff, stats, update, commit then run, export then import then run. */
    @Test
    void filesAndTheRootFilesystemThroughTheApi() throws Exception {
        ok("run", "-d", "--name", "files", ref, "-c", "exec sleep 60");
        Path local = Files.createDirectories(dir.resolve("cp-local"));
        byte[] blob = new byte[300_000];
        new java.util.Random(16).nextBytes(blob);
        Files.write(local.resolve("blob"), blob);
        Path tree = Files.createDirectories(local.resolve("tree/sub"));
        Files.writeString(tree.resolve("leaf.txt"), "leaf\n");
        Files.setPosixFilePermissions(tree.resolve("leaf.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(local.resolve("tree/link"), Path.of("sub/leaf.txt"));

        // in: a file into an existing directory, a directory under a new name
        assertThat(ok("cp", local.resolve("blob").toString(), "files:/tmp/").out()).isEmpty();
        ok("cp", local.resolve("tree").toString(), "files:/tmp/copied");
        assertThat(ok("exec", "files", "sh", "-c", "cat /tmp/copied/sub/leaf.txt; readlink /tmp/copied/link; stat -c %a /tmp/copied/sub/leaf.txt; wc -c < /tmp/blob").out())
                .isEqualTo("leaf\nsub/leaf.txt\n750\n300000\n");
        // out: the same bytes back, a file under a new name and a directory into an existing one
        Path back = Files.createDirectories(dir.resolve("cp-back"));
        ok("cp", "files:/tmp/blob", back.resolve("blob2").toString());
        assertThat(Files.readAllBytes(back.resolve("blob2"))).isEqualTo(blob);
        ok("cp", "files:/tmp/copied", back.toString());
        assertThat(Files.readString(back.resolve("copied/sub/leaf.txt"))).isEqualTo("leaf\n");
        assertThat(Files.readSymbolicLink(back.resolve("copied/link"))).isEqualTo(Path.of("sub/leaf.txt"));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(back.resolve("copied/sub/leaf.txt"))))
                .isEqualTo("rwxr-x---");
        // a directory's contents ("/."), and the tar itself on stdout
        Path contents = Files.createDirectories(dir.resolve("cp-contents"));
        ok("cp", "files:/tmp/copied/.", contents.toString());
        assertThat(contents.resolve("sub/leaf.txt")).hasContent("leaf");
        Path tar = dir.resolve("cp-out.tar");
        assertThat(piped(List.of("-H", "unix://" + sock, "cp", "files:/tmp/copied/sub", "-"), null, tar).code()).isZero();
        assertThat(entries(tar)).contains("sub/leaf.txt");
        // and a tar on stdin unpacked into a directory
        assertThat(piped(List.of("-H", "unix://" + sock, "cp", "-", "files:/tmp"), tar, null).code()).isZero();
        assertThat(ok("exec", "files", "cat", "/tmp/sub/leaf.txt").out()).isEqualTo("leaf\n");
        var missing = client(null, "cp", "files:/nothing/here", back.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("Could not find the file /nothing/here");

        assertThat(ok("diff", "files").out()).contains("A /tmp/blob\n").contains("A /tmp/copied\n").contains("C /tmp\n");

        var stats = ok("stats", "--no-stream", "files");
        assertThat(stats.out()).startsWith("CONTAINER ID").contains("files").contains("MEM USAGE / LIMIT");
        assertThat(ok("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "files").out()).matches("files [1-9][0-9]*\n");

        // streaming: the table redrawn (docker's clear and home) every interval until interrupted
        Process live = cliProcess(List.of("-H", "unix://" + sock, "stats", "files")).redirectErrorStream(true).start();
        try {
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[4096];
            while (seen.toString().split("\033\\[2J", -1).length < 3) {
                int n = live.getInputStream().read(buf);
                if (n < 0) break;
                seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertThat(seen.toString()).startsWith("\033[2J\033[HCONTAINER ID").contains("files");
            assertThat(seen.toString().split("\033\\[2J", -1)).hasSizeGreaterThanOrEqualTo(3);
        } finally {
            live.destroy();
            assertThat(live.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(ok("update", "--memory", "64m", "--pids-limit", "50", "files").out()).isEqualTo("files\n");
        assertThat(ok("inspect", "--format", "{{.HostConfig.Memory}}", "files").out()).isEqualTo("67108864\n");

        String committed = "127.0.0.1:1/jc-remote/committed:1";
        String id = ok("commit", "-m", "remote commit", "-c", "CMD [\"-c\", \"cat /tmp/copied/sub/leaf.txt\"]", "files", committed).out().strip();
        assertThat(id).matches("sha256:[0-9a-f]{64}");
        assertThat(ok("run", "--rm", committed).out()).isEqualTo("leaf\n");
        assertThat(ok("history", committed).out()).startsWith("IMAGE").contains("remote commit");

        Path exported = dir.resolve("exported.tar");
        ok("export", "-o", exported.toString(), "files");
        assertThat(entries(exported)).contains("tmp/blob", "etc/marker");
        String imported = "127.0.0.1:1/jc-remote/imported:1";
        String importedId = ok("import", "-m", "from export", exported.toString(), imported).out().strip();
        assertThat(importedId).matches("sha256:[0-9a-f]{64}");
        assertThat(ok("run", "--rm", imported, "/bin/cat", "/etc/marker").out()).isEqualTo("from the remote store");
        // export to stdout, import from stdin
        Path piped = dir.resolve("exported-stdout.tar");
        assertThat(piped(List.of("-H", "unix://" + sock, "export", "files"), null, piped).code()).isZero();
        assertThat(Files.size(piped)).isEqualTo(Files.size(exported));
        Path importOut = dir.resolve("import-stdout.txt");
        assertThat(piped(List.of("-H", "unix://" + sock, "import", "-", "127.0.0.1:1/jc-remote/imported:2"), piped, importOut).code()).isZero();
        assertThat(Files.readString(importOut)).startsWith("sha256:");

        ok("rm", "-f", "files");
        ok("rmi", committed, imported, "127.0.0.1:1/jc-remote/imported:2");
    }

    /** build's context tar carries a symbolic link as a link (and a file's bytes as they are). */
    @Test
    void buildWithASymlinkInTheContext() throws Exception {
        Path ctx = Files.createDirectories(dir.resolve("build-ctx"));
        Files.writeString(ctx.resolve("file"), "through the link\n");
        Files.createSymbolicLink(ctx.resolve("link"), Path.of("file"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + ref + "\nCOPY . /ctx\nCMD [\"-c\", \"readlink /ctx/link; cat /ctx/link\"]\n");
        String built = "127.0.0.1:1/jc-remote/built:1";
        ok("build", "-q", "-t", built, ctx.toString());
        assertThat(ok("run", "--rm", built).out()).isEqualTo("file\nthrough the link\n");
        ok("rmi", built);
    }

    /**
     * build -f with the Dockerfile outside the context: it travels inside the tar under a
     * generated name, as docker's CLI sends it, and COPY . neither sees it nor what the
     * context's .dockerignore keeps on this host.
     */
    @Test
    void buildWithTheDockerfileOutsideTheContext() throws Exception {
        Path ctx = Files.createDirectories(dir.resolve("outside-ctx/ctx")), elsewhere = Files.createDirectories(dir.resolve("outside-ctx/elsewhere"));
        Files.writeString(ctx.resolve("hello.txt"), "hello\n");
        Files.writeString(ctx.resolve("secret"), "never sent\n");
        Files.writeString(ctx.resolve(".dockerignore"), "secret\n");
        Files.writeString(elsewhere.resolve("Dockerfile"), "FROM " + ref + "\nCOPY . /ctx/\nCMD [\"-c\", \"cat /ctx/hello.txt; ls -A /ctx\"]\n");
        String built = "127.0.0.1:1/jc-remote/outside:1";
        ok("build", "-q", "-t", built, "-f", elsewhere.resolve("Dockerfile").toString(), ctx.toString());
        assertThat(ok("run", "--rm", built).out()).isEqualTo("hello\n.dockerignore\nhello.txt\n");
        var missing = client(null, "build", "-f", elsewhere.resolve("Nope").toString(), ctx.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("unable to open Dockerfile");
        ok("rmi", built);
    }

    /**
     * stats from the daemon's own readings: --no-stream is one answer per container whose
     * precpu_stats give a CPU percentage; the stream is the daemon's (one reading a second on one
     * connection per container), its frames after the first with the CPU % of a busy loop.
     */
    @Test
    void statsOfABusyContainer() throws Exception {
        ok("run", "-d", "--name", "busy", ref, "-c", "while :; do :; done");
        try {
            String once = ok("stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}}", "busy").out();
            assertThat(once).matches("busy [0-9.]+%\n");
            assertThat(Double.parseDouble(once.substring(5, once.length() - 2))).as(once).isPositive();
            Process live = cliProcess(List.of("-H", "unix://" + sock, "stats", "--format", "{{.Name}} {{.CPUPerc}}", "busy")).redirectErrorStream(true).start();
            List<Double> seen = new ArrayList<>();
            try (var out = new BufferedReader(new InputStreamReader(live.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; seen.size() < 3 && (l = out.readLine()) != null; ) {
                    var m = java.util.regex.Pattern.compile("busy ([0-9.]+)%").matcher(l);
                    if (m.find()) seen.add(Double.parseDouble(m.group(1)));
                }
            } finally {
                live.destroy();
                assertThat(live.waitFor(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(seen).hasSize(3);
            assertThat(seen.get(2)).as("%s", seen).isPositive();
        } finally {
            ok("rm", "-f", "busy");
        }
    }

    /** save | load round trips an image through files and through stdout/stdin. */
    @Test
    void saveAndLoad() throws Exception {
        String copy = "127.0.0.1:1/jc-remote/saved:1";
        ok("tag", ref, copy);
        Path saved = dir.resolve("saved.tar");
        ok("save", "-o", saved.toString(), copy);
        assertThat(entries(saved)).contains("manifest.json");
        ok("rmi", copy);
        assertThat(ok("load", "-i", saved.toString()).out()).isEqualTo("Loaded image: " + copy + "\n");
        assertThat(ok("run", "--rm", copy).out()).isEqualTo("from the remote store");
        ok("rmi", copy);
        Path stdout = dir.resolve("saved-stdout.tar");
        ok("tag", ref, copy);
        assertThat(piped(List.of("-H", "unix://" + sock, "save", copy), null, stdout).code()).isZero();
        ok("rmi", copy);
        Path loaded = dir.resolve("load-out.txt");
        assertThat(piped(List.of("-H", "unix://" + sock, "load"), stdout, loaded).code()).isZero();
        assertThat(Files.readString(loaded)).isEqualTo("Loaded image: " + copy + "\n");
        assertThat(ok("images", "-q", copy).out()).isNotEmpty();
        ok("rmi", copy);
    }

    /** The prune verbs (with -f and --filter) and system df. */
    @Test
    void pruneAndSystemDf() throws Exception {
        String a = ok("run", "--name", "stopped-a", "-l", "keep=no", ref, "-c", "true").out();
        String b = ok("run", "--name", "stopped-b", "-l", "keep=yes", ref, "-c", "true").out();
        assertThat(a + b).isEmpty();
        String idA = ok("inspect", "--format", "{{.Id}}", "stopped-a").out().strip();
        String idB = ok("inspect", "--format", "{{.Id}}", "stopped-b").out().strip();
        var df = ok("system", "df");
        assertThat(df.out()).startsWith("TYPE").contains("Images").contains("Containers").contains("Local Volumes");
        assertThat(df.out().lines().filter(l -> l.startsWith("Containers")).findFirst().orElseThrow()).matches("Containers\\s+2\\s+0\\s.*");

        var filtered = ok("container", "prune", "-f", "--filter", "label=keep=no");
        assertThat(filtered.out()).isEqualTo("Deleted Containers:\n" + idA + "\n\nTotal reclaimed space: 0B\n");
        assertThat(ok("ps", "-a", "--format", "{{.Names}}").out()).isEqualTo("stopped-b\n");
        // without -f the answer decides
        assertThat(client("n\n", "container", "prune").out()).contains("Are you sure");
        assertThat(ok("ps", "-a", "-q").out()).isNotEmpty();
        assertThat(ok("container", "prune", "-f").out()).contains(idB);
        assertThat(ok("ps", "-a", "-q").out()).isEmpty();

        ok("volume", "create", "prunable");
        assertThat(ok("volume", "prune", "-a", "-f").out()).contains("Deleted Volumes:\nprunable\n");
        ok("network", "create", "prunable-net");
        assertThat(ok("network", "prune", "-f").out()).contains("Deleted Networks:\nprunable-net\n");
        assertThat(ok("image", "prune", "-f").out()).endsWith("Total reclaimed space: 0B\n");
        ok("run", "--name", "stopped-c", ref, "-c", "true");
        var system = ok("system", "prune", "-f");
        assertThat(system.out()).contains("Deleted Containers:").endsWith("Total reclaimed space: 0B\n");
        assertThat(ok("images", "-q", ref).out()).isNotEmpty(); // a tagged image is not dangling
    }

    /**
     * Container sizes (SizeRw: what it wrote; SizeRootFs: with the image) through the API
     * ({@code ps -s}, {@code inspect -s}, {@code system df [-v]} with -H) and locally (the same
     * state directory as the service's, read by this host's verbs).
     */
    @Test
    void containerSizes() throws Exception {
        ok("run", "--name", "sized", ref, "-c", "head -c 300000 /dev/zero > /big");
        Map<String, String> local = Map.of("JCONTAINER_STATE_DIR", dir.resolve("state").toString(), "JCONTAINER_STORAGE", dir.resolve("store").toString());
        try {
            for (boolean remote : new boolean[]{true, false}) {
                java.util.function.Function<String[], String> cli = args -> {
                    try {
                        var r = remote ? ok(args) : run(local, null, args);
                        assertThat(r.code()).as(r.toString()).isZero();
                        return r.out();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                };
                String how = remote ? "through the API" : "locally";
                long rw = Long.parseLong(cli.apply(new String[]{"inspect", "-s", "-f", "{{.SizeRw}}", "sized"}).strip());
                long rootFs = Long.parseLong(cli.apply(new String[]{"inspect", "--size", "-f", "{{.SizeRootFs}}", "sized"}).strip());
                assertThat(rw).as(how).isBetween(300_000L, 310_000L);
                assertThat(rootFs).as(how).isGreaterThan(rw + 500_000);
                assertThat(cli.apply(new String[]{"ps", "-a", "-s", "--format", "{{.Names}} {{.Size}}"})).as(how)
                        .matches("sized 30[0-9.]*kB \\(virtual [0-9.]+MB\\)\n");
                assertThat(cli.apply(new String[]{"ps", "-a", "-s"})).as(how).contains("SIZE").contains("kB (virtual ");
                assertThat(cli.apply(new String[]{"system", "df"}).lines().filter(l -> l.startsWith("Containers")).findFirst().orElseThrow())
                        .as(how).matches("Containers\\s+1\\s+0\\s+30[0-9.]*kB\\s+30[0-9.]*kB");
                assertThat(cli.apply(new String[]{"system", "df", "-v"})).as(how).contains("Containers space usage:")
                        .containsPattern("LOCAL VOLUMES +SIZE").containsPattern(" 30[0-9.]*kB +[A-Za-z0-9 ]+ ago");
            }
        } finally {
            ok("rm", "sized");
        }
    }

    /** login: the daemon checks, this client stores; search: the registry's catalog through the daemon. */
    @Test
    void loginLogoutAndSearchAgainstLocalRegistries() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.jcontainer.oci.testing.LocalRegistry.available() || "true".equals(System.getenv("CI")),
                "docker-registry is not installed");
        Path config = dir.resolve("client-docker");
        try (var secured = io.jcontainer.oci.testing.LocalRegistry.start("remote", "s3cret");
             var open = io.jcontainer.oci.testing.LocalRegistry.start()) {
            var wrong = withConfig(config, "nope\n", "login", "-u", "remote", "--password-stdin", secured.host());
            assertThat(wrong.code()).as(wrong.toString()).isEqualTo(1);
            assertThat(wrong.err()).contains("Error response from daemon");
            assertThat(config.resolve("config.json")).doesNotExist();
            var login = withConfig(config, "s3cret\n", "login", "-u", "remote", "--password-stdin", secured.host());
            assertThat(login.code()).as(login.toString()).isZero();
            assertThat(login.out()).startsWith("Login Succeeded");
            assertThat(Files.readString(config.resolve("config.json"))).contains(secured.host());
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(config.resolve("config.json"))))
                    .isEqualTo("rw-------");
            // push and pull with the client's stored login (X-Registry-Auth): the service has none of its own
            String secret = secured.host() + "/jc-remote/private:1";
            ok("tag", ref, secret);
            var privatePush = withConfig(config, null, "push", secret);
            assertThat(privatePush.code()).as(privatePush.toString()).isZero();
            ok("rmi", secret);
            var pulled = withConfig(config, null, "pull", secret);
            assertThat(pulled.code()).as(pulled.toString()).isZero();
            assertThat(pulled.out()).contains("Downloaded newer image for " + secret);
            // a build's FROM pull: the client's logins go along in X-Registry-Config
            ok("rmi", secret);
            Path ctx = Files.createDirectories(dir.resolve("private-ctx"));
            Files.writeString(ctx.resolve("Dockerfile"), "FROM " + secret + "\nLABEL from=private\n");
            var built = withConfig(config, null, "build", "-q", "-t", "127.0.0.1:1/jc-remote/from-private:1", ctx.toString());
            assertThat(built.code()).as(built.toString()).isZero();
            ok("rmi", "127.0.0.1:1/jc-remote/from-private:1");
            // without the client's credentials the service cannot: it stored none
            ok("rmi", secret);
            var anonymous = withConfig(dir.resolve("no-login"), null, "pull", secret);
            assertThat(anonymous.code()).as(anonymous.toString()).isEqualTo(1);
            for (Path owned : List.of(dir.resolve("state"), dir.resolve("store"))) if (Files.isDirectory(owned))
                try (var walk = Files.walk(owned)) {
                    for (Path f : walk.filter(Files::isRegularFile).toList())
                        assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain("s3cret");
                }
            var logout = withConfig(config, null, "logout", secured.host());
            assertThat(logout.out()).isEqualTo("Removing login credentials for " + secured.host() + "\n");
            assertThat(Files.readString(config.resolve("config.json"))).doesNotContain(secured.host());

            String pushed = open.host() + "/jc-remote/findme:1";
            ok("tag", ref, pushed);
            ok("push", pushed);
            var search = ok("search", open.host() + "/findme");
            assertThat(search.out()).startsWith("NAME").contains(open.host() + "/jc-remote/findme");
            assertThat(ok("search", "--format", "{{.Name}}", open.host() + "/nothing-like-it").out()).isEmpty();
            ok("rmi", pushed);
        }
    }

    // ---- helpers ----

    /** The client with stdin from a file and stdout into one (binary archives); null: /dev/null, or collected. */
    private static CliProcess.Result piped(List<String> args, Path stdin, Path stdout) throws Exception {
        ProcessBuilder pb = cliProcess(args);
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null")) : ProcessBuilder.Redirect.from(stdin.toFile()));
        if (stdout != null) pb.redirectOutput(stdout.toFile());
        Process p = pb.start();
        var err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = stdout == null ? new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(args + " did not finish in 60 s");
        }
        var r = new CliProcess.Result(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
        assertThat(r.code()).as(args + "\n" + r).isZero();
        return r;
    }

    private static List<String> entries(Path tar) throws Exception {
        List<String> names = new ArrayList<>();
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) names.add(e.getName().replaceFirst("^\\./", "").replaceFirst("/$", ""));
        }
        return names;
    }

    private static CliProcess.Result withConfig(Path config, String stdin, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("-H", "unix://" + sock));
        a.addAll(List.of(args));
        ProcessBuilder pb = cliProcess(a);
        pb.environment().put("DOCKER_CONFIG", config.toString());
        return stdin == null ? CliProcess.collect(pb, String.join(" ", args)) : withInput(pb, stdin);
    }

    private static String jcontainer() {
        return Path.of("..", "jcontainer").toAbsolutePath().normalize().toString();
    }

    /** ./jcontainer with no state directory or store of its own that holds anything: only the API answers. */
    private static ProcessBuilder cliProcess(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(jcontainer()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        pb.environment().put("JCONTAINER_STATE_DIR", dir.resolve("client-state").toString());
        pb.environment().put("JCONTAINER_STORAGE", dir.resolve("client-store").toString());
        pb.environment().remove("DOCKER_HOST");
        return pb;
    }

    private static CliProcess.Result client(String stdin, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("-H", "unix://" + sock));
        a.addAll(List.of(args));
        return stdin == null ? CliProcess.collect(cliProcess(a), String.join(" ", args)) : withInput(cliProcess(a), stdin);
    }

    private static CliProcess.Result ok(String... args) throws Exception {
        var r = client(null, args);
        assertThat(r.code()).as("jcontainer -H … " + String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    private static CliProcess.Result run(Map<String, String> env, String stdin, String... args) throws Exception {
        ProcessBuilder pb = cliProcess(List.of(args));
        pb.environment().putAll(env);
        return stdin == null ? CliProcess.collect(pb, String.join(" ", args)) : withInput(pb, stdin);
    }

    private static CliProcess.Result withInput(ProcessBuilder pb, String stdin) throws Exception {
        Process p = pb.start();
        var err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        // stdin ends before the output is read: the client shuts its write side (a close_notify over
        // TLS) and the container must read EOF while its output still comes back
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(pb.command() + " did not finish in 60 s");
        }
        return new CliProcess.Result(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
    }

    private static void waitForLog(String container, String expected) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String seen = "";
        while (System.nanoTime() < end) {
            seen = ok("logs", container).out();
            if (seen.equals(expected)) return;
            Thread.sleep(100);
        }
        assertThat(seen).isEqualTo(expected);
    }

    /** A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, as docker's PEM files (keys PKCS#8). */
    private static void makeCerts(Path d) throws Exception {
        openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=test-ca");
        openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server-key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        Files.writeString(d.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        openssl(d, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", "server-cert.pem",
                "-days", "2", "-extfile", "server.ext");
        openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "client.csr", "-subj", "/CN=client");
        Files.writeString(d.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        openssl(d, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", "cert.pem",
                "-days", "2", "-extfile", "client.ext");
    }

    private static void openssl(Path d, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(d.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("openssl " + String.join(" ", args) + "\n" + out).isZero();
    }
}
