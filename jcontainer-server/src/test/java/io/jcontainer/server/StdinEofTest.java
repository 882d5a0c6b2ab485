package io.jcontainer.server;

import io.jcontainer.lifecycle.Containers;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import io.jcontainer.spi.ContainerRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The end of a docker client's stdin after the connection is hijacked, over the unix socket and
 * over TLS TCP: the CLI shuts its write side (a unix or TCP half-close; over TLS a close_notify)
 * and the container must read EOF while its output still reaches the client — {@code docker run
 * -i --rm IMAGE cat < file}, {@code docker exec -i}, and a plain {@code exec}, whose CLI shuts
 * its side at once. {@code docker-compose exec -T} is in {@link NetworkApiScenarios}' compose
 * scenario (compose needs a network).
 */
@RequiresRoot
class StdinEofTest {
    @TempDir
    static Path dir;
    static ApiServer server;
    static Containers containers;
    static Path state;
    static Map<String, DockerCli> clients;

    @BeforeAll
    static void start() throws Exception {
        if (System.getenv("CI") == null) assumeThat(DockerCli.available()).as("/usr/bin/docker (apt-get install docker.io)").isTrue();
        state = Files.createTempDirectory(Path.of("/tmp"), "jcs");
        containers = ContainerRuntime.get().containers(state);
        TestCerts certs = TestCerts.make(dir.resolve("certs"));
        Path sock = dir.resolve("run/docker.sock");
        server = ApiServer.builder().unixSocket(sock).tcp("127.0.0.1", 0).tls(certs.ca, certs.serverCert, certs.serverKey)
                .containers(containers).imageDirectory("busybox", TestRootfs.busybox(), "sh").start();
        int port = server.tcpAddress().orElseThrow().getPort();
        clients = Map.of("unix", DockerCli.unix(sock, Files.createDirectories(dir.resolve("config-unix"))),
                "tls", new DockerCli(Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + port, "DOCKER_TLS_VERIFY", "1",
                        "DOCKER_CERT_PATH", certs.ca.getParent().toString(), "DOCKER_CONFIG", Files.createDirectories(dir.resolve("config-tls")).toString())));
    }

    @AfterEach
    void removeAll() throws Exception {
        for (var c : containers.list(io.jcontainer.lifecycle.ListQuery.ALL)) {
            try {
                containers.remove(c.id(), true, false);
            } catch (Containers.NoSuchContainerException gone) {
                // a --rm container went by itself
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (state != null) try (var walk = Files.walk(state)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** 256 KiB of numbered lines: more than a socket buffer, so it flows while the output comes back. */
    private static byte[] input() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < 256 * 1024; i++) b.append("line ").append(i).append('\n');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tls"})
    void runDashIRemoveSeesTheEndOfItsInput(String transport) throws Exception {
        byte[] in = input();
        var r = clients.get(transport).run(in, "run", "-i", "--rm", "busybox", "sh", "-c", "cat; echo after-eof");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(new String(in, StandardCharsets.UTF_8) + "after-eof\n");
        assertThat(clients.get(transport).run("ps", "-aq").out()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tls"})
    void execDashISeesTheEndOfItsInputAndItsOutputStillComes(String transport) throws Exception {
        DockerCli docker = clients.get(transport);
        var run = docker.run("run", "-d", "--name", "box-" + transport, "busybox", "sleep", "600");
        assertThat(run.exit()).as(run.toString()).isZero();
        byte[] in = input();
        var r = docker.run(in, "exec", "-i", "box-" + transport, "sh", "-c", "wc -c; sleep 0.3; echo after-eof");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(in.length + "\nafter-eof\n");
        var cat = docker.run("hello\n".getBytes(StandardCharsets.UTF_8), "exec", "-i", "box-" + transport, "cat");
        assertThat(cat.out()).as(cat.toString()).isEqualTo("hello\n");
        // without -i the CLI shuts its side right after the hijack: the output still comes, late
        var plain = docker.run("exec", "box-" + transport, "sh", "-c", "sleep 0.5; echo late");
        assertThat(plain.out()).as(plain.toString()).isEqualTo("late\n");
    }

    /**
     * {@code docker exec -it} and {@code run -it} through a pty: the CLI wants a terminal on its own
     * stdin, which {@code script} gives it. What is typed reaches the process, and its output comes
     * back through the container's terminal (its CR-LF line ends).
     */
    @ParameterizedTest
    @ValueSource(strings = {"unix", "tls"})
    void execAndRunWithATerminal(String transport) throws Exception {
        DockerCli docker = clients.get(transport);
        assertThat(docker.run("run", "-d", "--name", "tty-" + transport, "busybox", "sleep", "600").exit()).isZero();
        var exec = docker.run("typed\n".getBytes(StandardCharsets.UTF_8), "@script",
                "exec -it tty-" + transport + " sh -c 'read l; echo got $l; exit 5'");
        assertThat(exec.out()).as(exec.toString()).contains("got typed\r\n");
        assertThat(exec.exit()).as(exec.toString()).isEqualTo(5);
        var run = docker.run((byte[]) null, "@script", "run -it --rm busybox sh -c 'echo in a terminal'");
        assertThat(run.out()).as(run.toString()).contains("in a terminal\r\n");
        assertThat(run.exit()).as(run.toString()).isZero();
    }
}
