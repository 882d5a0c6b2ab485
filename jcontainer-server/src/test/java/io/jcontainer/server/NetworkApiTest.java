package io.jcontainer.server;

import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The network endpoints with the docker CLI and docker-compose: each scenario of
 * {@link NetworkApiScenarios} runs in a JVM started under {@code unshare --net}, where the server
 * and its clients make every bridge, veth and rule — never in this machine's own network
 * namespace (rule 9).
 */
@RequiresRoot
class NetworkApiTest {
    @TempDir
    Path work;

    @BeforeAll
    static void clients() {
        if (System.getenv("CI") == null) {
            assumeThat(DockerCli.available()).as("/usr/bin/docker (apt-get install docker.io)").isTrue();
            assumeThat(Path.of("/usr/bin/docker-compose")).as("apt-get install docker-compose").isExecutable();
        }
    }

    private void scenario(String name) throws Exception {
        scenario(name, Map.of());
    }

    /** {@code env}: set for the scenario's JVM (a null value: removed). */
    private void scenario(String name, Map<String, String> env) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String outer = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        ProcessBuilder pb = new ProcessBuilder(List.of("unshare", "--net", "--", java, "--enable-native-access=ALL-UNNAMED",
                "-Djcontainer.test.outerNetns=" + outer, "-cp", System.getProperty("java.class.path"),
                NetworkApiScenarios.class.getName(), name, work.toString())).redirectErrorStream(true);
        // Testcontainers finds its docker only through the environment: this scenario's server (Ryuk's image is out of reach)
        pb.environment().putAll(Map.of("DOCKER_HOST", "unix://" + work.resolve("docker.sock"), "TESTCONTAINERS_RYUK_DISABLED", "true",
                "TESTCONTAINERS_CHECKS_DISABLE", "true", "TESTCONTAINERS_HOST_OVERRIDE", "localhost", "HOME", work.toString()));
        env.forEach((k, v) -> {
            if (v == null) pb.environment().remove(k);
            else pb.environment().put(k, v);
        });
        Process p = pb.start();
        var out = new CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            try {
                out.complete(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                out.complete(e.toString());
            }
        });
        if (!p.waitFor(600, TimeUnit.SECONDS)) p.destroyForcibly();
        String text = out.get(30, TimeUnit.SECONDS);
        System.out.println(text);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("PASSED " + name);
    }

    @Test
    void networkVerbsThroughTheApi() throws Exception {
        scenario("verbs");
    }

    @Test
    void dockerComposeUpPsDownWithAUserNetworkAndAPublishedPort() throws Exception {
        scenario("compose");
    }

    /** Issue 16's docker CLI list, over the unix socket and over TLS TCP: published ports need a namespace of their own. */
    @Test
    void theIssuesDockerCliListOverTheUnixSocketAndOverTlsTcp() throws Exception {
        scenario("issue-list");
    }

    /** dockerd's default network: the service left to choose (./run-tests and this module's tests say none elsewhere). */
    @Test
    void aContainerCreatedWithoutANetworkIsOnTheDefaultBridge() throws Exception {
        var unset = new java.util.HashMap<String, String>();
        unset.put("JCONTAINER_DEFAULT_NETWORK", null);
        scenario("default-network", unset);
    }

    @Test
    void testcontainersNetworkWithAliasesAndAnHttpWait() throws Exception {
        scenario("testcontainers");
    }
}
