package io.jcontainer.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP side of the Engine API over a real unix socket, byte for byte: what docker's clients
 * rely on (version negotiation, error shape, keep-alive, chunked bodies) and what a hostile or
 * broken client may do (huge bodies, stalls, half-closes, a thousand connections).
 */
class ProtocolTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path socket;
    static ApiServer server;

    @BeforeAll
    static void start() {
        socket = dir.resolve("docker.sock");
        server = ApiServer.builder().unixSocket(socket).requestTimeout(Duration.ofSeconds(2)).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        assertThat(socket).doesNotExist();
    }

    static JsonNode json(RawHttp.Response r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void pingAnswersHeadAndGetWithTheVersionHeaders() throws IOException {
        var get = RawHttp.exchange(socket, "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.text()).isEqualTo("OK");
        assertThat(get.header("Api-Version")).isEqualTo("1.41");
        assertThat(get.header("Docker-Experimental")).isEqualTo("false");
        assertThat(get.header("OSType")).isEqualTo("linux");
        assertThat(get.header("Cache-Control")).contains("no-cache");

        var head = RawHttp.exchange(socket, "HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Api-Version")).isEqualTo("1.41");
        assertThat(head.body()).isEmpty();
    }

    @Test
    void versionedAndUnversionedPathsWithinTheRange() throws IOException {
        for (String p : List.of("/version", "/v1.24/version", "/v1.41/version")) {
            var r = RawHttp.exchange(socket, "GET " + p + " HTTP/1.1\r\nHost: docker\r\n\r\n");
            assertThat(r.status()).as(p).isEqualTo(200);
            JsonNode v = json(r);
            assertThat(v.path("ApiVersion").asText()).isEqualTo("1.41");
            assertThat(v.path("MinAPIVersion").asText()).isEqualTo("1.24");
            assertThat(v.path("Os").asText()).isEqualTo("linux");
        }
        var old = RawHttp.exchange(socket, "GET /v1.12/version HTTP/1.1\r\nHost: docker\r\n\r\n");
        assertThat(old.status()).isEqualTo(400);
        assertThat(json(old).path("message").asText()).isEqualTo(
                "client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version");
        var young = RawHttp.exchange(socket, "GET /v1.99/version HTTP/1.1\r\nHost: docker\r\n\r\n");
        assertThat(young.status()).isEqualTo(400);
        assertThat(json(young).path("message").asText()).contains("1.99 is too new. Maximum supported API version is 1.41");
    }

    @Test
    void unknownEndpointsAreDockersPageNotFound() throws IOException {
        var r = RawHttp.exchange(socket, "GET /v1.41/nonsense/here HTTP/1.1\r\nHost: docker\r\n\r\n");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(json(r).path("message").asText()).isEqualTo("page not found");
        var m = RawHttp.exchange(socket, "DELETE /version HTTP/1.1\r\nHost: docker\r\n\r\n");
        assertThat(m.status()).isEqualTo(405);
        assertThat(json(m).has("message")).isTrue();
    }

    @Test
    void malformedJsonIs400AndAChunkedBodyIsRead() throws IOException {
        String bad = "{\"username\": ";
        var r = RawHttp.exchange(socket, "POST /v1.41/auth HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: "
                + bad.length() + "\r\n\r\n" + bad);
        assertThat(r.status()).isEqualTo(400);
        assertThat(json(r).path("message").asText()).startsWith("invalid JSON");

        // The same endpoint with a good body sent in chunks: the handler sees the whole of it.
        String chunked = "POST /v1.41/auth HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\n{\"use\r\n" + "38\r\nrname\":\"u\",\"password\":\"p\",\"serveraddress\":\"127.0.0.1:1\"}\r\n" + "0\r\n\r\n";
        // (a registry on loopback that nobody serves: the check is tried, and fails, without leaving the machine)
        var ok = RawHttp.exchange(socket, chunked);
        assertThat(ok.status()).as(ok.text()).isNotEqualTo(400).isGreaterThanOrEqualTo(400);
        assertThat(json(ok).path("message").asText()).contains("127.0.0.1:1");
    }

    @Test
    void aGigabyteBodyIsRefusedWith413BeforeItIsSent() throws IOException {
        try (RawHttp h = new RawHttp(socket)) {
            h.send("POST /v1.41/auth HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n");
            var r = h.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(json(r).path("message").asText()).contains("1073741824");
            assertThat(h.atEof()).isTrue();
        }
    }

    @Test
    void aChunkedBodyPastTheLimitIs413AndTheConnectionCloses() throws IOException {
        try (RawHttp h = new RawHttp(socket)) {
            h.send("POST /v1.41/auth HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n\r\n");
            // 1 GB would be sent if the server let it: it stops reading past 16 MiB.
            assertThat(chunksUntilTheServerCloses(h)).isLessThan(64L << 20);
            var r = h.read();
            assertThat(r.status()).isEqualTo(413);
        }
    }

    @Test
    void aStreamedBodyAnsweredBeforeItsEndKeepsTheConnectionForTheNextRequest() throws IOException {
        // docker-java pools its connections: an answer sent before the body's end (here an error in the
        // query; for a copy, a tar's trailer left unread) must not be followed by a silent close, or its
        // next request on that connection finds nobody ("localhost:2375 failed to respond").
        try (RawHttp h = new RawHttp(socket)) {
            h.send("PUT /v1.41/containers/none/archive HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4\r\nabcd\r\n");
            var r = h.read();
            assertThat(r.status()).isGreaterThanOrEqualTo(400);
            h.send("400\r\n" + "x".repeat(0x400) + "\r\n0\r\n\r\n");
            h.send("GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
            assertThat(h.read().text()).isEqualTo("OK");
        }
    }

    @Test
    void anUnreadBodyFarPastWhatIsDrainedClosesTheConnection() throws IOException {
        try (RawHttp h = new RawHttp(socket)) {
            h.send("PUT /v1.41/containers/none/archive HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n\r\n");
            assertThat(h.read().status()).isGreaterThanOrEqualTo(400);
            assertThat(chunksUntilTheServerCloses(h)).isLessThan(64L << 20);
        }
    }

    /** Sends 64 KiB chunks, up to 1 GiB, until the server closes the connection; returns the bytes sent. */
    private static long chunksUntilTheServerCloses(RawHttp h) {
        byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        long sent = 0;
        try {
            while (sent < (1L << 30)) {
                h.send(chunk);
                sent += 0x10000;
            }
        } catch (IOException expected) {
            // the server closed while we were sending
        }
        return sent;
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws IOException {
        try (RawHttp h = new RawHttp(socket)) {
            for (int i = 0; i < 3; i++) {
                h.send("GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
                assertThat(h.read().text()).isEqualTo("OK");
            }
        }
    }

    @Test
    void aClientStallingMidRequestIsDroppedAfterTheTimeout() throws IOException {
        try (RawHttp h = new RawHttp(socket)) {
            h.send("GET /_ping HTTP/1.1\r\nHo");
            long t0 = System.nanoTime();
            assertThat(h.atEof()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        }
    }

    @Test
    void aHalfClosedClientGetsItsAnswerThenTheConnectionCloses() throws IOException {
        try (RawHttp h = new RawHttp(socket)) {
            h.send("GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
            h.shutdownOutput();
            assertThat(h.read().text()).isEqualTo("OK");
            assertThat(h.atEof()).isTrue();
        }
        try (RawHttp h = new RawHttp(socket)) {
            h.send("GET /_ping HTTP/1.1\r\nHo");
            h.shutdownOutput();
            assertThat(h.atEof()).isTrue();
        }
    }

    @Test
    void aThousandConcurrentConnections() throws IOException {
        List<RawHttp> clients = new ArrayList<>();
        try {
            // each asks at once: a connection that waited for the other 999 to connect first could sit idle past
            // this server's 2 s timeout on a loaded machine, and be dropped before it asked
            for (int i = 0; i < 1000; i++) {
                RawHttp c = new RawHttp(socket);
                clients.add(c);
                c.send("GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
            }
            int ok = 0;
            for (RawHttp c : clients) if (c.read().status() == 200) ok++;
            assertThat(ok).isEqualTo(1000);
        } finally {
            for (RawHttp c : clients) c.close();
        }
    }

    @Test
    void malformedHttpIs400() throws IOException {
        try (RawHttp h = new RawHttp(socket)) {
            h.send("GET /_ping HTTP/1.1\r\nHost: docker\r\n" + "X: " + "y".repeat(100_000) + "\r\n\r\n");
            var r = h.read();
            assertThat(r.status()).isEqualTo(400);
        }
    }

    @Test
    void theSocketIsOwnerOnly() throws IOException {
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
    }
}
