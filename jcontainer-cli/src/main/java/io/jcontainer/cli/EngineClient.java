package io.jcontainer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Docker Engine API client for the CLI's client mode ({@code -H}, {@code DOCKER_HOST}): a unix
 * socket, plain TCP or TCP with TLS (docker's {@code --tlsverify --tlscacert --tlscert --tlskey}).
 *
 * <p>Netty speaks HTTP/1.1 for it (its {@link HttpClientCodec}; the JDK's HTTP client reaches
 * neither a unix socket nor a hijacked connection): one connection per request, as attach and
 * exec need their own anyway. A response's body is an {@link InputStream} fed as the bytes arrive,
 * so {@code logs -f}, {@code events} and pull progress stream. A hijacked request
 * ({@code Upgrade: tcp}, docker's attach and exec start) gives the raw connection after the
 * server's {@code 101}: its bytes as a stream, and an output half that can be shut
 * (end of stdin) while the output still flows.
 */
final class EngineClient implements AutoCloseable {
    /** The API version asked for when the server offers a newer one (docker 20.10's: what the server's tests use). */
    static final String MAX_VERSION = "1.41";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CONNECT_TIMEOUT_MS = 30_000;

    /** Where the daemon is: a unix socket, or a TCP address with TLS settings (null: plain). */
    record Endpoint(Path socket, String host, int port, SslContext tls, String display) {
        /**
         * docker's host syntax: {@code unix:///path}, {@code tcp://host:port} (2375 plain, 2376 with
         * TLS when the port is left out); TLS as docker's flags and DOCKER_TLS_VERIFY/DOCKER_CERT_PATH.
         */
        static Endpoint parse(String uri, Tls tls) {
            if (uri.startsWith("unix://")) {
                String path = uri.substring("unix://".length());
                if (path.isEmpty()) throw new CliException(Cli.EXIT_ERROR, "-H " + uri + ": no socket path");
                return new Endpoint(Path.of(path), null, 0, null, uri);
            }
            if (uri.startsWith("tcp://") || uri.startsWith("https://") || uri.startsWith("http://")) {
                URI u = URI.create(uri.startsWith("tcp://") ? "tcp" + uri.substring(3) : uri);
                SslContext ssl = tls.enabled() || uri.startsWith("https://") ? tls.context() : null;
                if (u.getHost() == null) throw new CliException(Cli.EXIT_ERROR, "-H " + uri + ": no host");
                int port = u.getPort() > 0 ? u.getPort() : ssl == null ? 2375 : 2376;
                return new Endpoint(null, u.getHost(), port, ssl, uri);
            }
            throw new CliException(Cli.EXIT_ERROR, "-H " + uri + ": unsupported host (unix:///PATH or tcp://HOST:PORT)");
        }
    }

    /** docker's TLS flags: --tls (encrypt, trust anything), --tlsverify (check the server with the CA), client certificate and key. */
    record Tls(boolean tls, boolean verify, Path ca, Path cert, Path key) {
        boolean enabled() {
            return tls || verify;
        }

        SslContext context() {
            try {
                SslContextBuilder b = SslContextBuilder.forClient();
                if (verify) {
                    if (!Files.isReadable(ca)) throw new CliException(Cli.EXIT_ERROR, "--tlscacert " + ca + ": cannot read the CA certificate");
                    b.trustManager(ca.toFile());
                } else {
                    b.trustManager(InsecureTrustManagerFactory.INSTANCE); // docker's --tls: encrypted, the server unchecked
                }
                if (Files.isReadable(cert) && Files.isReadable(key)) b.keyManager(cert.toFile(), key.toFile());
                else if (verify && (Files.exists(cert) || Files.exists(key)))
                    throw new CliException(Cli.EXIT_ERROR, "--tlscert " + cert + " / --tlskey " + key + ": cannot read the client certificate and key");
                return b.build();
            } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
                throw new CliException(Cli.EXIT_ERROR, "TLS settings (--tlscacert " + ca + ", --tlscert " + cert + ", --tlskey " + key + "): " + e.getMessage());
            }
        }
    }

    /** A response: its status and headers at once, its body as it arrives. */
    record Response(int status, HttpHeaders headers, InputStream body) implements AutoCloseable {
        JsonNode json() throws IOException {
            try (body) {
                byte[] b = body.readAllBytes();
                return b.length == 0 ? JSON.nullNode() : JSON.readTree(b);
            }
        }

        /** The body's bytes for a successful status; docker's "Error response from daemon: MESSAGE" (exit 1) otherwise. */
        Response ok() throws IOException {
            if (status < 400) return this;
            throw error();
        }

        CliException error() throws IOException {
            String message;
            try (body) {
                byte[] b = body.readAllBytes();
                try {
                    message = JSON.readTree(b).path("message").asText(new String(b, StandardCharsets.UTF_8).strip());
                } catch (IOException notJson) {
                    message = new String(b, StandardCharsets.UTF_8).strip();
                }
            }
            return new CliException(1, "Error response from daemon: " + message);
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** A hijacked connection: the server's bytes, and ours. */
    static final class Hijacked implements AutoCloseable {
        private final Channel channel;
        private final InputStream in;
        private final OutputStream out;

        Hijacked(Channel channel, InputStream in) {
            this.channel = channel;
            this.in = in;
            this.out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[]{(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (len == 0) return;
                    try {
                        channel.writeAndFlush(Unpooled.copiedBuffer(b, off, len)).sync();
                    } catch (Exception e) {
                        throw new IOException("writing to the daemon: " + e.getMessage(), e);
                    } 
                }
            };
        }

        InputStream in() {
            return in;
        }

        OutputStream out() {
            return out;
        }

        /**
         * End of our input: the output half is shut, the server's bytes still come (docker's CloseWrite).
         * Over TLS, as Go's tls.Conn.CloseWrite: a close_notify, the connection stays open (TLS 1.3
         * lets the server write on; jcontainer's service and dockerd take it as the end of stdin).
         */
        void closeWrite() {
            io.netty.handler.ssl.SslHandler tls = channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
            if (tls != null) tls.closeOutbound().awaitUninterruptibly();
            else if (channel instanceof DuplexChannel d) d.shutdownOutput().awaitUninterruptibly();
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly();
        }
    }

    private final Endpoint endpoint;
    private final EventLoopGroup group;
    private String version;

    EngineClient(Endpoint endpoint) {
        this.endpoint = endpoint;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("jcontainer-client", true), NioIoHandler.newFactory());
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** The path prefix: the server's API version (from {@code /_ping}), capped at what this client speaks. */
    String version() throws IOException {
        if (version == null) {
            try (Response r = send("GET", "/_ping", null, null, Map.of())) {
                r.body().readAllBytes();
                if (r.status() != 200) throw new CliException(1, "Error response from daemon: _ping answered " + r.status());
                String v = r.headers().get("Api-Version");
                version = v == null || newer(v, MAX_VERSION) ? MAX_VERSION : v;
            }
        }
        return version;
    }

    private static boolean newer(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? Integer.parseInt(x[i]) : 0, q = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (p != q) return p > q;
        }
        return false;
    }

    /** A versioned request with an optional JSON body. */
    Response call(String method, String path, JsonNode body) throws IOException {
        return send(method, "/v" + version() + path, body == null ? null : JSON.writeValueAsBytes(body),
                body == null ? null : "application/json", Map.of());
    }

    /** A versioned request with a raw body (a tar) and extra headers. */
    Response call(String method, String path, byte[] body, String contentType, Map<String, String> headers) throws IOException {
        return send(method, "/v" + version() + path, body, contentType, headers);
    }

    /** {@link #call} whose body is JSON and whose status must be a success. */
    JsonNode json(String method, String path, JsonNode body) throws IOException {
        return call(method, path, body).ok().json();
    }

    /**
     * A versioned request whose body is read from {@code body} as it is sent (chunked): a tar or
     * an archive of any size (load, import, cp into a container) without holding it in memory.
     * Sending stops early when the daemon has answered meanwhile (a refusal); that answer is
     * returned.
     */
    Response upload(String method, String path, InputStream body, String contentType, Map<String, String> headers) throws IOException {
        String versioned = "/v" + version() + path;
        Conn conn = open();
        DefaultHttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), versioned);
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.HOST, endpoint.socket() != null ? "docker" : endpoint.host() + ":" + endpoint.port());
        h.set(HttpHeaderNames.USER_AGENT, "jcontainer-cli/" + VersionCommand.version());
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        if (contentType != null) h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        headers.forEach(h::set);
        conn.channel.writeAndFlush(r);
        byte[] buf = new byte[1 << 16];
        boolean sent = true;
        // one chunk in flight at a time: the daemon's pace sets ours, memory stays at one buffer
        for (int n; !conn.head.isDone() && (n = body.read(buf)) > 0; ) {
            if (!conn.channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, n))).awaitUninterruptibly().isSuccess()) {
                sent = false;
                break;
            }
        }
        if (sent && !conn.head.isDone()) conn.channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        HttpResponse head = conn.head();
        return new Response(head.status().code(), head.headers(), conn.body);
    }

    Response send(String method, String path, byte[] body, String contentType, Map<String, String> headers) throws IOException {
        Conn conn = open();
        conn.channel.writeAndFlush(request(method, path, body, contentType, headers, false));
        HttpResponse head = conn.head();
        return new Response(head.status().code(), head.headers(), conn.body);
    }

    /**
     * A hijacked request (docker's attach, exec start): answered {@code 101 UPGRADED} (or 200 by
     * an old server), after which the connection carries the raw streams both ways.
     */
    Hijacked hijack(String method, String path, JsonNode body) throws IOException {
        Conn conn = open();
        conn.hijack = true;
        conn.channel.writeAndFlush(request(method, "/v" + version() + path, body == null ? null : JSON.writeValueAsBytes(body),
                body == null ? null : "application/json", Map.of(), true));
        HttpResponse head = conn.head();
        if (head.status().code() >= 400) throw new Response(head.status().code(), head.headers(), conn.body).error();
        return new Hijacked(conn.channel, conn.body);
    }

    private FullHttpRequest request(String method, String path, byte[] body, String contentType, Map<String, String> headers, boolean upgrade) {
        ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), path, content);
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.HOST, endpoint.socket() != null ? "docker" : endpoint.host() + ":" + endpoint.port());
        h.set(HttpHeaderNames.USER_AGENT, "jcontainer-cli/" + VersionCommand.version());
        h.set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (contentType != null) h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        headers.forEach(h::set);
        if (upgrade) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            h.set(HttpHeaderNames.UPGRADE, "tcp");
        }
        return r;
    }

    private Conn open() throws IOException {
        Conn conn = new Conn();
        Bootstrap b = new Bootstrap().group(group)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT_MS)
                .channel(endpoint.socket() != null ? NioDomainSocketChannel.class : NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (endpoint.tls() != null) ch.pipeline().addLast("tls", endpoint.tls().newHandler(ch.alloc(), endpoint.host(), endpoint.port()));
                        ch.pipeline().addLast("http", new HttpClientCodec());
                        ch.pipeline().addLast("conn", conn);
                    }
                });
        var address = endpoint.socket() != null ? UnixDomainSocketAddress.of(endpoint.socket()) : new InetSocketAddress(endpoint.host(), endpoint.port());
        var f = b.connect(address).awaitUninterruptibly();
        if (!f.isSuccess()) throw cannotConnect(f.cause());
        conn.channel = f.channel();
        conn.body.channel = f.channel();
        return conn;
    }

    private CliException cannotConnect(Throwable cause) {
        return new CliException(1, "Cannot connect to the Docker daemon at " + endpoint.display() + ". Is the daemon running? ("
                + (cause == null ? "connect failed" : cause.getMessage()) + ")");
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }

    /** One connection: the response head, then the body's bytes into a stream the caller reads. */
    private final class Conn extends ChannelInboundHandlerAdapter {
        final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
        final Inbound body = new Inbound();
        volatile Channel channel;
        boolean hijack, upgraded;

        HttpResponse head() throws IOException {
            try {
                return head.get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof CliException ce) throw ce;
                throw new IOException("talking to the daemon at " + endpoint.display() + ": " + c.getMessage(), c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse r) {
                    if (hijack && r.status().code() == 101) {
                        upgraded = true;
                        // what follows is the raw stream: our writes bypass the HTTP encoder from now on
                        ((HttpClientCodec) ctx.pipeline().get("http")).prepareUpgradeFrom(ctx);
                    }
                    head.complete(r);
                }
                if (msg instanceof HttpContent c) {
                    body.add(c.content());
                    // a hijacked stream ends when the connection does; a plain body at its last chunk
                    if (msg instanceof LastHttpContent && !upgraded && !(hijack && head.isDone() && head.getNow(null).status().code() < 300)) {
                        body.end(null);
                        ctx.close();
                    }
                } else if (msg instanceof ByteBuf b) {
                    body.add(b);
                }
            } finally {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            head.completeExceptionally(new IOException("the daemon closed the connection without an answer"));
            body.end(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!head.isDone()) head.completeExceptionally(cause instanceof javax.net.ssl.SSLException || cause.getCause() instanceof javax.net.ssl.SSLException
                    ? new CliException(1, "TLS with " + endpoint.display() + " failed: " + cause.getMessage()) : cause);
            body.end(new IOException(cause.getMessage(), cause));
            ctx.close();
        }
    }

    /** The bytes the event loop received, read by the caller's thread. */
    private static final class Inbound extends InputStream {
        private static final byte[] END = new byte[0];
        private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        private volatile IOException failure;
        private byte[] current;
        private int pos;
        private boolean ended;
        /** The connection: closing a body not read to its end closes it (a stream the caller is done with: stats, events). */
        volatile Channel channel;

        void add(ByteBuf b) {
            if (!b.isReadable()) return;
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            queue.add(bytes);
        }

        void end(IOException failure) {
            if (failure != null && this.failure == null) this.failure = failure;
            queue.add(END);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            while (current == null || pos == current.length) {
                if (ended) return eof();
                try {
                    current = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
                pos = 0;
                if (current == END) {
                    ended = true;
                    return eof();
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        private int eof() throws IOException {
            if (failure != null) throw failure;
            return -1;
        }

        @Override
        public int available() {
            return current == null ? 0 : current.length - pos;
        }

        @Override
        public void close() {
            Channel c = channel;
            if (!ended && c != null) c.close();
        }
    }

    /** docker's query strings: values URL-encoded, nulls left out. */
    static String query(Object... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) if (kv[i + 1] != null) m.put((String) kv[i], String.valueOf(kv[i + 1]));
        if (m.isEmpty()) return "";
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.isEmpty() ? '?' : '&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return b.toString();
    }

    static String path(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}
