package io.jcontainer.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A byte-exact HTTP/1.1 client over a unix socket, for what curl cannot do on purpose: requests
 * cut short, half-closed connections, bodies that never end, a thousand connections at once.
 */
final class RawHttp implements AutoCloseable {
    final SocketChannel channel;
    final InputStream in;

    record Response(int status, String reason, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    RawHttp(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        in = Channels.newInputStream(channel);
    }

    static Response exchange(Path socket, String request) throws IOException {
        try (RawHttp h = new RawHttp(socket)) {
            h.send(request);
            return h.read();
        }
    }

    void send(String s) throws IOException {
        send(s.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) channel.write(buf);
    }

    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** One response; its body by Content-Length, chunks, or (hijacked / Connection: close) to EOF unless upgraded. */
    Response read() throws IOException {
        String status = line();
        if (status == null) throw new java.io.EOFException("connection closed before a response");
        String[] parts = status.split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int c = l.indexOf(':');
            headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
        }
        int code = Integer.parseInt(parts[1]);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (code == 101 || code == 204 || code == 304) {
            // no body: what follows is raw (101) or the next response
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int n; (n = Integer.parseInt(line().trim(), 16)) > 0; ) {
                body.write(in.readNBytes(n));
                line();
            }
            line();
        }
        return new Response(code, parts.length > 2 ? parts[2] : "", headers, body.toByteArray());
    }

    /** Reads one chunk of a chunked body; null at its end. */
    byte[] chunk() throws IOException {
        String l = line();
        if (l == null) return null;
        int n = Integer.parseInt(l.trim(), 16);
        if (n == 0) {
            line();
            return null;
        }
        byte[] b = in.readNBytes(n);
        line();
        return b;
    }

    String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') return b.toString(StandardCharsets.ISO_8859_1).replaceFirst("\r$", "");
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    /** True once the server has closed its side (reads EOF). */
    boolean atEof() throws IOException {
        return in.read() == -1;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
