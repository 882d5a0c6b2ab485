package io.jcontainer.oci.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.ProgressListener;
import io.jcontainer.image.RegistryConfig;
import io.jcontainer.image.RegistryCredentials;
import io.jcontainer.image.RegistryDeniedException;
import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.TestImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A second real registry with htpasswd Basic auth: denial with the registry's codes, login and
 * logout through ~/.docker/config.json (0600), and — with a recording front on 127.0.0.1 that
 * redirects blob downloads to a "storage host" on 127.0.0.2 — that credentials never follow a
 * redirect to another host (SECURITY.md rows 34, 44).
 */
class AuthAndRedirectTest {
    static final String USER = "tester";
    static final String PASSWORD = "s3cret-pw";

    static LocalRegistry registry;
    static Path work;
    static String ref;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start(USER, PASSWORD);
        work = Files.createTempDirectory("jcontainer-oci-auth-");
        ref = registry.host() + "/secure/busybox:1";
        Path cfg = work.resolve("pusher.json");
        try (Images pusher = open(work.resolve("pusher"), cfg)) {
            pusher.load(TestImage.busybox("auth").writeArchive(work.resolve("img.tar"), ref));
            pusher.login(registry.host(), USER, PASSWORD);
            pusher.push(ref, ProgressListener.NONE);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (registry != null) registry.close();
        if (work != null) io.jcontainer.oci.unpack.FsTree.delete(work);
    }

    static Images open(Path storage, Path dockerConfig) {
        return Images.open(ImagesOptions.defaults().withStorageRoot(storage).withDockerConfig(dockerConfig));
    }

    @Test
    void withoutCredentialsIsDenied(@TempDir Path tmp) {
        try (Images images = open(tmp.resolve("s"), tmp.resolve("none.json"))) {
            assertThatThrownBy(() -> images.pull(ref, ProgressListener.NONE))
                    .isInstanceOf(RegistryDeniedException.class).hasMessageContaining("log in");
        }
    }

    @Test
    void wrongPasswordIsDeniedAndNothingIsStored(@TempDir Path tmp) {
        Path cfg = tmp.resolve("docker/config.json");
        try (Images images = open(tmp.resolve("s"), cfg)) {
            assertThatThrownBy(() -> images.login(registry.host(), USER, "wrong"))
                    .isInstanceOfSatisfying(RegistryDeniedException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.errorCodes()).contains("UNAUTHORIZED");
                    });
            assertThat(cfg).doesNotExist();
        }
    }

    @Test
    void loginPullLogout(@TempDir Path tmp) throws IOException {
        Path cfg = tmp.resolve("docker/config.json");
        try (Images images = open(tmp.resolve("s"), cfg)) {
            images.login(registry.host(), USER, PASSWORD);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cfg))).isEqualTo("rw-------");
            assertThat(Files.readString(cfg)).contains(registry.host())
                    .contains(Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes()));
            assertThat(images.pull(ref, ProgressListener.NONE).repoTags()).containsExactly(ref);
            assertThat(images.catalog(registry.host())).contains("secure/busybox");
            assertThat(images.logout(registry.host())).isTrue();
            assertThat(Files.readString(cfg)).doesNotContain(registry.host());
            assertThat(images.logout(registry.host())).isFalse();
        }
    }

    @Test
    void perRequestCredentialsPullAndPushForThatRequestOnly(@TempDir Path tmp) {
        Path cfg = tmp.resolve("none.json");
        var good = RegistryCredentials.password(USER, PASSWORD);
        try (Images images = open(tmp.resolve("s"), cfg)) {
            assertThatThrownBy(() -> images.pull(ref, null, ProgressListener.NONE, RegistryCredentials.password(USER, "wrong")))
                    .isInstanceOfSatisfying(RegistryDeniedException.class, e -> assertThat(e.status()).isEqualTo(401));
            assertThat(images.pull(ref, null, ProgressListener.NONE, good).repoTags()).containsExactly(ref);
            String copy = registry.host() + "/secure/copy:1";
            images.tag(ref, copy);
            assertThat(images.push(copy, ProgressListener.NONE, good)).startsWith("sha256:");
            // the next request without credentials gets no token or Basic header left by the last one
            images.remove(copy, false);
            images.remove(ref, false);
            assertThatThrownBy(() -> images.pull(ref, ProgressListener.NONE)).isInstanceOf(RegistryDeniedException.class);
            assertThatThrownBy(() -> images.pull(copy, ProgressListener.NONE)).isInstanceOf(RegistryDeniedException.class);
            assertThat(good.toString()).doesNotContain(PASSWORD);
        }
        assertThat(cfg).doesNotExist();
    }

    @Test
    void credentialsAreNotSentToARedirectTarget(@TempDir Path tmp) throws Exception {
        List<String> storageAuth = new CopyOnWriteArrayList<>();
        List<String> storageRequests = new CopyOnWriteArrayList<>();
        HttpClient upstream = HttpClient.newHttpClient();
        String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes());
        // "storage": serves blobs without auth (as a signed URL would), records what it was sent
        HttpServer storage = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
        storage.createContext("/", ex -> {
            storageRequests.add(ex.getRequestURI().toString());
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null) storageAuth.add(auth);
            forward(upstream, ex, "http://" + registry.host() + ex.getRequestURI(), basic);
        });
        // the registry's front: everything passes through, blob GETs are redirected to storage
        HttpServer front = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        int storagePort;
        storage.start();
        storagePort = storage.getAddress().getPort();
        front.createContext("/", ex -> {
            String path = ex.getRequestURI().toString();
            if (ex.getRequestMethod().equals("GET") && path.contains("/blobs/sha256:")) {
                ex.getResponseHeaders().add("Location", "http://127.0.0.2:" + storagePort + path);
                ex.sendResponseHeaders(307, -1);
                ex.close();
                return;
            }
            forward(upstream, ex, "http://" + registry.host() + path, ex.getRequestHeaders().getFirst("Authorization"));
        });
        front.start();
        try {
            String frontHost = "127.0.0.1:" + front.getAddress().getPort();
            Path cfg = tmp.resolve("config.json");
            try (Images images = Images.open(ImagesOptions.defaults().withStorageRoot(tmp.resolve("s")).withDockerConfig(cfg)
                    .withRegistries(new RegistryConfig(Set.of(), List.of())))) {
                images.login(frontHost, USER, PASSWORD);
                images.pull(frontHost + "/secure/busybox:1", ProgressListener.NONE);
            }
            assertThat(storageRequests).hasSizeGreaterThanOrEqualTo(4);       // config + 3 layers
            assertThat(storageAuth).isEmpty();
            // the same with per-request credentials (a service's X-Registry-Auth), nothing stored
            int before = storageRequests.size();
            try (Images images = Images.open(ImagesOptions.defaults().withStorageRoot(tmp.resolve("s2")).withDockerConfig(tmp.resolve("none.json"))
                    .withRegistries(new RegistryConfig(Set.of(), List.of())))) {
                images.pull(frontHost + "/secure/busybox:1", null, ProgressListener.NONE, RegistryCredentials.password(USER, PASSWORD));
            }
            assertThat(storageRequests).hasSizeGreaterThanOrEqualTo(before + 4);
            assertThat(storageAuth).isEmpty();
            assertThat(tmp.resolve("none.json")).doesNotExist();
        } finally {
            front.stop(0);
            storage.stop(0);
            upstream.close();
        }
    }

    private static void forward(HttpClient upstream, HttpExchange ex, String url, String auth) throws IOException {
        try {
            var b = HttpRequest.newBuilder(URI.create(url));
            if (auth != null) b.header("Authorization", auth);
            for (String h : List.of("Accept", "Range", "Content-Type")) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) b.header(h, v);
            }
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            b.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> r = upstream.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            r.headers().map().forEach((k, v) -> {
                if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding") && !k.startsWith(":"))
                    v.forEach(x -> ex.getResponseHeaders().add(k, x));
            });
            boolean noBody = ex.getRequestMethod().equals("HEAD") || r.body().length == 0;
            ex.sendResponseHeaders(r.statusCode(), noBody ? -1 : r.body().length);
            if (!noBody) try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            ex.close();
        }
    }
}
