package io.jcontainer.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the server may listen, and where it refuses to. */
class ListenTest {
    @TempDir
    Path dir;

    @Test
    void makesAMissingDirectoryOwnerOnlyAndTheSocketOwnerOnly() throws IOException {
        Path sock = dir.resolve("run/jcontainer/docker.sock");
        try (ApiServer s = ApiServer.builder().unixSocket(sock).start()) {
            assertThat(s.unixSocket()).contains(sock);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock.getParent()))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");
            assertThat(RawHttp.exchange(sock, "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n").text()).isEqualTo("OK");
        }
        assertThat(sock).doesNotExist();
    }

    @Test
    void refusesADirectoryOthersCanWrite() throws IOException {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> ApiServer.builder().unixSocket(open.resolve("docker.sock")).start())
                .isInstanceOf(ApiServerException.class)
                .hasMessageContaining("others can write that directory");
        assertThatThrownBy(() -> ApiServer.builder().unixSocket(Path.of("/tmp/docker.sock")).start())
                .isInstanceOf(ApiServerException.class)
                .hasMessageContaining("others can write");
    }

    @Test
    void refusesToReplaceAFileOrALiveSocketAndReplacesAStaleOne() throws IOException {
        Path file = Files.writeString(dir.resolve("file.sock"), "not a socket");
        assertThatThrownBy(() -> ApiServer.builder().unixSocket(file).start())
                .isInstanceOf(ApiServerException.class).hasMessageContaining("not a socket");
        assertThat(file).hasContent("not a socket");

        Path sock = dir.resolve("docker.sock");
        try (ApiServer s = ApiServer.builder().unixSocket(sock).start()) {
            assertThatThrownBy(() -> ApiServer.builder().unixSocket(sock).start())
                    .isInstanceOf(ApiServerException.class).hasMessageContaining("in use");
        }
        // A socket left by a server that died: bind a channel, close it without removing the file.
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(sock));
        }
        assertThat(sock).exists();
        try (ApiServer s = ApiServer.builder().unixSocket(sock).start()) {
            assertThat(RawHttp.exchange(sock, "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n").status()).isEqualTo(200);
        }
    }

    @Test
    void plainTcpOnlyOnLoopbackUnlessAskedExplicitly() throws IOException {
        assertThatThrownBy(() -> ApiServer.builder().noUnixSocket().tcp("0.0.0.0", 0).start())
                .isInstanceOf(ApiServerException.class)
                .hasMessageContaining("refusing plain TCP")
                .hasMessageContaining("--tlsverify");
        try (ApiServer s = ApiServer.builder().noUnixSocket().tcp("127.0.0.1", 0).start()) {
            int port = s.tcpAddress().orElseThrow().getPort();
            assertThat(port).isPositive();
            try (var c = new java.net.Socket("127.0.0.1", port)) {
                c.getOutputStream().write("GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n".getBytes());
                assertThat(new String(c.getInputStream().readAllBytes())).startsWith("HTTP/1.1 200 OK").endsWith("OK");
            }
        }
        // Asked for explicitly: it listens (the test connects over loopback only).
        try (ApiServer s = ApiServer.builder().noUnixSocket().tcp("0.0.0.0", 0).allowPlainTcp(true).start()) {
            assertThat(s.tcpAddress()).isPresent();
        }
    }
}
