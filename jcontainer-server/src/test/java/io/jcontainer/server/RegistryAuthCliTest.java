package io.jcontainer.server;

import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.TestImage;
import io.jcontainer.spi.ContainerRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * docker's per-request registry credentials through a service that has none of its own: the
 * real docker CLI logs in to a real registry with htpasswd Basic auth (docker-registry on
 * 127.0.0.1), then pushes, pulls and builds FROM it — the CLI sends {@code X-Registry-Auth} /
 * {@code X-Registry-Config}, the service passes them to the image store for that request and
 * writes them nowhere. A wrong password is docker's 401 and nothing is stored; a malformed
 * header is docker's 400.
 */
@RequiresRoot
class RegistryAuthCliTest {
    static final String USER = "jc-user", PASSWORD = "pw-" + Long.toHexString(System.nanoTime());
    @TempDir
    static Path dir;
    static ApiServer server;
    static DockerCli docker;
    static Containers containers;
    static Images images;
    static LocalRegistry registry;
    static Path state, sock, clientConfig, serviceConfig;

    @BeforeAll
    static void start() throws Exception {
        if (System.getenv("CI") == null) {
            assumeThat(DockerCli.available()).as("/usr/bin/docker (apt-get install docker.io)").isTrue();
            assumeThat(LocalRegistry.available()).as("docker-registry").isTrue();
        }
        registry = LocalRegistry.start(USER, PASSWORD);
        state = Files.createTempDirectory(Path.of("/tmp"), "jcs");
        containers = ContainerRuntime.get().containers(state);
        serviceConfig = dir.resolve("service/docker-config.json");   // the service's own: never written
        images = Images.open(ImagesOptions.defaults().withStorageRoot(dir.resolve("service/store")).withDockerConfig(serviceConfig));
        sock = dir.resolve("run/docker.sock");
        server = ApiServer.builder().unixSocket(sock).containers(containers).images(images).start();
        clientConfig = Files.createDirectories(dir.resolve("client"));
        docker = new DockerCli(Map.of("DOCKER_HOST", "unix://" + sock, "DOCKER_CONFIG", clientConfig.toString(), "DOCKER_BUILDKIT", "0"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (images != null) images.close();
        if (registry != null) registry.close();
        if (state != null) try (var walk = Files.walk(state)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static DockerCli.Result ok(String... args) throws Exception {
        var r = docker.run(args);
        assertThat(r.exit()).as("docker " + String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    @Test
    void loginPushPullAndBuildWithTheClientsCredentialsOnly() throws Exception {
        String ref = registry.host() + "/private/busybox:1";
        images.load(TestImage.busybox("private").writeArchive(dir.resolve("in.tar"), ref));

        // the service has no credentials: without the client's, the registry refuses
        var anonymous = docker.run("push", ref);
        assertThat(anonymous.exit()).as(anonymous.toString()).isNotZero();
        assertThat(anonymous.out() + anonymous.err()).containsIgnoringCase("auth");

        var wrong = docker.run("wrong\n".getBytes(StandardCharsets.UTF_8), "login", "-u", USER, "--password-stdin", registry.host());
        assertThat(wrong.exit()).as(wrong.toString()).isEqualTo(1);
        assertThat(wrong.err()).contains("Error response from daemon").contains("401");
        assertThat(clientConfig.resolve("config.json")).satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(),
                p -> assertThat(Files.readString(p)).doesNotContain(registry.host()));

        var login = docker.run((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8), "login", "-u", USER, "--password-stdin", registry.host());
        assertThat(login.exit()).as(login.toString()).isZero();
        assertThat(login.out()).contains("Login Succeeded");
        assertThat(Files.readString(clientConfig.resolve("config.json"))).contains(registry.host());

        assertThat(ok("push", ref).out()).contains("1: digest: sha256:");
        ok("rmi", ref);
        assertThat(ok("pull", ref).out()).contains("Status: Downloaded newer image for " + ref);

        // a build's FROM pull: the legacy builder sends every stored login in X-Registry-Config
        ok("rmi", ref);
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + ref + "\nLABEL built=from-private\n");
        var build = docker.run("build", "-t", "localhost/from-private:1", context.toString());
        assertThat(build.exit()).as(build.toString()).isZero();
        assertThat(ok("inspect", "--format", "{{index .Config.Labels \"built\"}}", "localhost/from-private:1").out()).isEqualTo("from-private\n");

        // docker's decoding: empty and {} are "none", malformed is a 400 with docker's message
        var none = create(ref, Base64.getUrlEncoder().encodeToString("{}".getBytes(StandardCharsets.UTF_8)));
        assertThat(none.status()).as(none.text()).isNotEqualTo(400);
        assertThat(none.text()).containsIgnoringCase("auth");    // the service alone may not pull it
        var malformed = create(ref, "%%%not-base64");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.text()).contains("invalid X-Registry-Auth header: must be a valid base64url-encoded string");
        var notJson = create(ref, Base64.getUrlEncoder().encodeToString("{nope".getBytes(StandardCharsets.UTF_8)));
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.text()).contains("must be a valid JSON");

        // the credentials were used, never kept: nothing the service owns holds the password
        assertThat(serviceConfig).doesNotExist();
        for (Path root : new Path[]{dir.resolve("service"), state})
            try (var walk = Files.walk(root)) {
                for (Path p : walk.filter(Files::isRegularFile).toList())
                    assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).as(p.toString()).doesNotContain(PASSWORD);
            }
        ok("logout", registry.host());
    }

    private static RawHttp.Response create(String ref, String auth) throws Exception {
        String path = "/v1.41/images/create?fromImage=" + java.net.URLEncoder.encode(ref, StandardCharsets.UTF_8);
        return RawHttp.exchange(sock, "POST " + path + " HTTP/1.1\r\nHost: docker\r\nX-Registry-Auth: " + auth
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
}
