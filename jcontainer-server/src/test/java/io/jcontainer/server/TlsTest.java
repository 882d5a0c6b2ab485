package io.jcontainer.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** TCP on 127.0.0.1 with TLS and client certificates (docker's --tlsverify), with a CA made for the test. */
class TlsTest {
    @TempDir
    static Path dir;
    static TestCerts certs;
    static ApiServer server;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.make(dir.resolve("certs"));
        server = ApiServer.builder().noUnixSocket().tcp("127.0.0.1", 0).tls(certs.ca, certs.serverCert, certs.serverKey).start();
        port = server.tcpAddress().orElseThrow().getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void dockerWithItsClientCertificate() throws Exception {
        if (System.getenv("CI") == null) assumeThat(DockerCli.available()).isTrue();
        DockerCli docker = new DockerCli(Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + port, "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", certs.ca.getParent().toString(), "DOCKER_CONFIG", Files.createDirectories(dir.resolve("config")).toString()));
        var v = docker.run("version", "--format", "{{.Server.APIVersion}}");
        assertThat(v.exit()).as(v.toString()).isZero();
        assertThat(v.out().strip()).isEqualTo("1.41");
        var i = docker.run("info", "--format", "{{.OSType}}");
        assertThat(i.out().strip()).as(i.toString()).isEqualTo("linux");
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        assertThat(curl("--cacert", certs.ca.toString(), "https://127.0.0.1:" + port + "/_ping")).isNotZero();
        assertThat(curl("--cacert", certs.ca.toString(), "--cert", certs.clientCert.toString(), "--key", certs.clientKey.toString(),
                "https://127.0.0.1:" + port + "/_ping")).isZero();
        // Plain HTTP to the TLS port gets no answer from the API.
        assertThat(curl("http://127.0.0.1:" + port + "/_ping")).isNotZero();
    }

    private static int curl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-sS", "-f", "--max-time", "20", "-o", "/dev/null"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
