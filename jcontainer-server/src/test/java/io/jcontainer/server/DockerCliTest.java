package io.jcontainer.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Debian's docker client against the server over its unix socket: the system verbs. */
class DockerCliTest {
    @TempDir
    static Path dir;
    static ApiServer server;
    static DockerCli docker;

    @BeforeAll
    static void start() throws IOException {
        if (System.getenv("CI") == null) assumeThat(DockerCli.available()).as("/usr/bin/docker (apt-get install docker.io)").isTrue();
        Path sock = dir.resolve("run/docker.sock");
        server = ApiServer.builder().unixSocket(sock).start();
        docker = DockerCli.unix(sock, Files.createDirectories(dir.resolve("config")));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void version() throws Exception {
        var r = docker.run("version");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Server: jcontainer").contains("API version:      1.41").contains("OS/Arch:          linux/");
        var f = docker.run("version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}");
        assertThat(f.out().strip()).isEqualTo("1.41 linux");
    }

    @Test
    void info() throws Exception {
        var r = docker.run("info");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Server Version: " + ApiServer.version()).contains("Cgroup Driver: cgroupfs")
                .contains("Default Runtime: jcontainer");
        assertThat(r.err()).doesNotContain("ERROR");
        var f = docker.run("info", "--format", "{{.OSType}}/{{.NCPU}}");
        assertThat(f.out().strip()).isEqualTo("linux/" + Runtime.getRuntime().availableProcessors());
    }

    @Test
    void anUnknownVerbOfTheApiIsDockersError() throws Exception {
        // `docker secret ls` asks GET /secrets (swarm), which jcontainer does not serve.
        var r = docker.run("secret", "ls");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("page not found");
    }
}
