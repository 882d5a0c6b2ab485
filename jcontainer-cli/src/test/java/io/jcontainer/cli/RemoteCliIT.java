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
    void verbsClientModeDoesNotCarryAreRefusedByName() throws Exception {
        var cp = client(null, "cp", "x:/a", "/tmp/b");
        assertThat(cp.code()).isEqualTo(125);
        assertThat(cp.err()).contains("'cp' is not supported against a remote daemon");
        var rootfs = client(null, "run", "--rm", "--rootfs", "/", "true");
        assertThat(rootfs.code()).isEqualTo(125);
        assertThat(rootfs.err()).contains("--rootfs");
        var flag = client(null, "run", "--rm", "--health-cmd", "true", ref);
        assertThat(flag.code()).isEqualTo(125);
        assertThat(flag.err()).contains("--health-cmd is not supported against a remote daemon");
        var service = client(null, "serve");
        assertThat(service.code()).isEqualTo(125);
        assertThat(service.err()).contains("-H/--host");
    }

    // ---- helpers ----

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
