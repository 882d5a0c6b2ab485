package io.jcontainer.oci.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real registry for tests: Debian's {@code docker-registry} (distribution 2.8) started on
 * 127.0.0.1 with a free port and a throw-away storage directory, optionally with htpasswd Basic
 * auth. Never its system service. {@link #close()} stops it and removes the directory.
 */
public final class LocalRegistry implements AutoCloseable {
    public static final String BINARY = "/usr/bin/docker-registry";

    private final Path dir;
    private final Process process;
    private final int port;

    private LocalRegistry(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    public static boolean available() {
        return Files.isExecutable(Path.of(BINARY));
    }

    public static LocalRegistry start() throws IOException, InterruptedException {
        return start(null, null);
    }

    /** With {@code user}/{@code password}: Basic auth through an htpasswd file (bcrypt, made by htpasswd). */
    public static LocalRegistry start(String user, String password) throws IOException, InterruptedException {
        if (!available())
            throw new IllegalStateException(BINARY + " is missing: apt-get install docker-registry (.ci/run installs it)");
        Path dir = Files.createTempDirectory("jcontainer-registry-");
        int port;
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        StringBuilder config = new StringBuilder("""
                version: 0.1
                log:
                  level: error
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("data"), port));
        if (user != null) {
            Path htpasswd = dir.resolve("htpasswd");
            Process p = new ProcessBuilder("htpasswd", "-Bbn", user, password).redirectErrorStream(true).start();
            byte[] line = p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) throw new IOException("htpasswd failed: " + new String(line));
            Files.write(htpasswd, line);
            config.append("""
                    auth:
                      htpasswd:
                        realm: jcontainer-test
                        path: %s
                    """.formatted(htpasswd));
        }
        Path yml = Files.writeString(dir.resolve("config.yml"), config);
        Process process = new ProcessBuilder(BINARY, "serve", yml.toString())
                .redirectOutput(dir.resolve("registry.log").toFile()).redirectErrorStream(true).start();
        var registry = new LocalRegistry(dir, process, port);
        registry.awaitReady();
        return registry;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (HttpClient http = HttpClient.newHttpClient()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive())
                    throw new IOException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
                try {
                    var r = http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200 || r.statusCode() == 401) return;
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
        }
        close();
        throw new IOException("docker-registry did not answer on " + host() + " within 30 s");
    }

    /** {@code 127.0.0.1:port}: the registry part of a reference. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public Path storage() {
        return dir.resolve("data");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            io.jcontainer.oci.unpack.FsTree.delete(dir);
        } catch (IOException ignored) {
            // a temp dir left is reported by the leak check of the suite, not here
        }
    }

    /** Runs a command, returns its stdout, fails with its output on a non-zero exit. */
    private static Path emptyAuthFile;

    private static synchronized Path emptyAuthFile() throws IOException {
        if (emptyAuthFile == null) {
            emptyAuthFile = java.nio.file.Files.createTempFile("jcontainer-peers-auth-", ".json");
            java.nio.file.Files.writeString(emptyAuthFile, "{}");
            emptyAuthFile.toFile().deleteOnExit();
        }
        return emptyAuthFile;
    }

    public static String run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false);
        // skopeo and podman read credentials from $XDG_RUNTIME_DIR or /run/containers/UID: an
        // ordinary user without a login session (su, cron) may find root's directory there and
        // fail with EACCES before any request. The peers get no credentials but the ones a test passes.
        pb.environment().putIfAbsent("REGISTRY_AUTH_FILE", emptyAuthFile().toString());
        Process p = pb.start();
        var err = new java.io.ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // ends with the process
            }
        });
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " timed out");
        }
        t.join();
        if (p.exitValue() != 0)
            throw new IOException(command + " exited " + p.exitValue() + ": " + out + err);
        return out;
    }
}
