package io.jcontainer.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@code ./jcontainer system service URI} and {@code ./jcontainer serve}: the docker CLI (Debian's
 * docker.io client) talks to it; SIGTERM ends it and removes its socket.
 */
class ServeIT {
    @TempDir
    Path dir;

    @Test
    void systemServiceServesTheDockerCliUntilTerminated() throws Exception {
        check("system", "service");
    }

    @Test
    void serveIsTheShortForm() throws Exception {
        check("serve");
    }

    private void check(String... verb) throws Exception {
        Path docker = Path.of("/usr/bin/docker");
        if (System.getenv("CI") == null) assumeThat(Files.isExecutable(docker)).as("apt-get install docker.io").isTrue();
        Path sock = dir.resolve("run/docker.sock");
        var cmd = new java.util.ArrayList<String>();
        cmd.add(Path.of("..", "jcontainer").toAbsolutePath().normalize().toString());
        cmd.addAll(java.util.List.of(verb));
        cmd.add("unix://" + sock);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        Process server = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8));
            assertThat(err.readLine()).isEqualTo("jcontainer: API listening on unix://" + sock);
            ProcessBuilder d = new ProcessBuilder(docker.toString(), "version", "--format", "{{.Server.APIVersion}}").redirectErrorStream(true);
            d.environment().put("DOCKER_HOST", "unix://" + sock);
            d.environment().put("DOCKER_CONFIG", Files.createDirectories(dir.resolve("config")).toString());
            Process v = d.start();
            String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(v.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out.strip()).isEqualTo("1.41");
        } finally {
            server.destroy(); // SIGTERM: the shutdown hook closes the server
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(sock).doesNotExist();
    }
}
