package io.jcontainer.server;

import io.jcontainer.docker.DefaultNetwork;
import io.jcontainer.server.handlers.Routes;
import io.jcontainer.server.http.ApiConnection;
import io.jcontainer.server.http.Router;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The Docker Engine API, served from this JVM: the docker CLI, docker-compose and Testcontainers
 * drive jcontainer through it ({@code DOCKER_HOST=unix:///run/jcontainer/docker.sock}).
 *
 * <pre>{@code
 * try (ApiServer server = ApiServer.builder()
 *         .unixSocket(Path.of("/run/user/1000/jcontainer/docker.sock"))
 *         .start()) {
 *     server.awaitClose();
 * }
 * }</pre>
 *
 * <p>It listens on a unix socket (owner-only: whoever can connect controls the user's
 * containers) and, when asked, on TCP: with TLS ({@link Builder#tls}, docker's {@code --tlsverify}
 * when a CA is given), or plain — on loopback, or elsewhere only with
 * {@link Builder#allowPlainTcp} and a warning. Each connection is read by Netty's event loops;
 * each request runs on a thread of its own, so a handler may block (wait, logs -f, attach) without
 * holding a thread that others need. Platform threads, not virtual ones: the container streams
 * are read with blocking FFM calls, which would pin the few carrier threads and stall every
 * other request. A connection costs a thread only while a request runs: idle and slow clients
 * hold none (Netty reads them; they are dropped after the request timeout).
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService handlers;
    private final List<Channel> listeners;
    private final Path unixSocket;
    private final InetSocketAddress tcp;
    private final io.jcontainer.server.http.Router router;

    private ApiServer(EventLoopGroup boss, EventLoopGroup workers, ExecutorService handlers, List<Channel> listeners, Path unixSocket,
                      InetSocketAddress tcp, io.jcontainer.server.http.Router router) {
        this.router = router;
        this.boss = boss;
        this.workers = workers;
        this.handlers = handlers;
        this.listeners = listeners;
        this.unixSocket = unixSocket;
        this.tcp = tcp;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** root: {@code /run/jcontainer/docker.sock}; rootless: {@code $XDG_RUNTIME_DIR/jcontainer/docker.sock}. */
    public static Path defaultSocket() {
        return SocketPaths.defaultSocket();
    }

    /** jcontainer's version, as {@code GET /version} reports it. */
    public static String version() {
        try (InputStream in = ApiServer.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    public Optional<Path> unixSocket() {
        return Optional.ofNullable(unixSocket);
    }

    /** The TCP address bound (with the port chosen when 0 was asked for). */
    public Optional<InetSocketAddress> tcpAddress() {
        return Optional.ofNullable(tcp);
    }

    /** Blocks until {@link #close} (from another thread or a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        for (Channel c : listeners) c.closeFuture().sync();
    }

    /** Stops listening, ends open connections and removes the socket file. */
    @Override
    public void close() {
        router.close(); // first: the session reaper must not take the connections this close ends for clients gone
        for (Channel c : listeners) c.close().awaitUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        handlers.shutdownNow();
        if (unixSocket != null) {
            try {
                Files.deleteIfExists(unixSocket);
            } catch (IOException e) {
                LOG.warn("cannot remove the API socket {}: {}", unixSocket, e.toString());
            }
        }
    }

    public static final class Builder {
        private Path unixSocket;
        private boolean unix = true;
        private InetSocketAddress tcp;
        private Path tlsCa, tlsCert, tlsKey;
        private boolean allowPlainTcp;
        private boolean listened;
        private boolean tcpDefaultPort;
        private long maxBody = 16L << 20;
        private Duration requestTimeout = Duration.ofSeconds(60);
        private String defaultNetwork;
        private final Routes.Backends backends = new Routes.Backends();

        private Builder() {
        }

        /** The unix socket to listen on (default {@link #defaultSocket()}). */
        public Builder unixSocket(Path path) {
            this.unixSocket = path;
            this.unix = true;
            return this;
        }

        /** Do not listen on a unix socket (TCP only). */
        public Builder noUnixSocket() {
            this.unix = false;
            return this;
        }

        /**
         * Listens where a docker {@code -H} URI says: {@code unix:///PATH} or
         * {@code tcp://HOST:PORT} (port 2376 by default with TLS, 2375 without). Given only TCP
         * URIs, the server does not listen on a unix socket, as dockerd.
         */
        public Builder listen(String uri) {
            if (!listened) {
                listened = true;
                unix = false;
            }
            if (uri.startsWith("unix://")) {
                String path = uri.substring("unix://".length());
                return path.isEmpty() ? unixSocket(defaultSocket()) : unixSocket(Path.of(path));
            }
            if (uri.startsWith("tcp://")) {
                String hp = uri.substring("tcp://".length());
                if (hp.endsWith("/")) hp = hp.substring(0, hp.length() - 1);
                int colon = hp.lastIndexOf(':');
                String host = colon < 0 ? hp : hp.substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
                int port;
                try {
                    port = colon < 0 ? -1 : Integer.parseInt(hp.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new ApiServerException("invalid port in " + uri);
                }
                this.tcp = new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, port < 0 ? 0 : port);
                this.tcpDefaultPort = port < 0;
                return this;
            }
            throw new ApiServerException("cannot listen on " + uri + ": give unix:///PATH or tcp://HOST:PORT");
        }

        /** Also listen on TCP (port 0: any free port, see {@link #tcpAddress()}). */
        public Builder tcp(String host, int port) {
            this.tcp = new InetSocketAddress(host, port);
            return this;
        }

        /**
         * TLS on the TCP listener (docker's {@code --tlscert --tlskey}); with a CA, clients must
         * present a certificate it signed (docker's {@code --tlsverify --tlscacert}). PEM files;
         * the key in PKCS#8 ({@code BEGIN PRIVATE KEY}).
         */
        public Builder tls(Path caOrNull, Path cert, Path key) {
            this.tlsCa = caOrNull;
            this.tlsCert = cert;
            this.tlsKey = key;
            return this;
        }

        /** Plain TCP on an address other than loopback: anyone who reaches it controls the containers. */
        public Builder allowPlainTcp(boolean allow) {
            this.allowPlainTcp = allow;
            return this;
        }

        /** The largest body a JSON endpoint takes (413 beyond it). */
        public Builder maxJsonBody(long bytes) {
            this.maxBody = bytes;
            return this;
        }

        /** How long a client may take to send a request (or stall a body) before it is dropped. */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = d;
            return this;
        }

        /** The recorded containers to serve (default: this user's, {@code Containers.get()}). */
        public Builder containers(io.jcontainer.lifecycle.Containers containers) {
            backends.containers(containers);
            return this;
        }

        /** The image store to serve (default: this user's). */
        public Builder images(io.jcontainer.image.Images images) {
            backends.images(images);
            return this;
        }

        /**
         * Serves a root directory as the image {@code name}: {@code docker run NAME} runs in it
         * ({@code cmd} when the client gives no command). A locally built root, no registry.
         */
        public Builder imageDirectory(String name, Path rootfs, String... cmd) {
            backends.imageDirectory(name, rootfs, List.of(cmd));
            return this;
        }

        /**
         * Testcontainers' Ryuk, natively: containers, networks and volumes labelled
         * {@code org.testcontainers.sessionId} are removed once no connection their session was
         * seen on is open and no request named the session for {@code after}. Off by default
         * (null or zero): a client silent that long counts as gone (docs/api-server.md).
         */
        public Builder reapSessionsAfter(Duration after) {
            backends.reapSessionsAfter(after);
            return this;
        }

        /**
         * The network of a container created without one (no {@code HostConfig.NetworkMode}, or
         * {@code default}) and of a build's RUN steps with docker's default: {@code auto} —
         * dockerd's, the default bridge as root, pasta (else slirp4netns) as an ordinary user,
         * loopback only where neither can be had (said once in the log); {@code bridge};
         * {@code none} (loopback only). Unset: {@code -Djcontainer.defaultNetwork}, else
         * {@code JCONTAINER_DEFAULT_NETWORK}, else {@code auto}. The library's own default stays
         * loopback only; this is the docker service's.
         */
        public Builder defaultNetwork(String setting) {
            this.defaultNetwork = setting;
            return this;
        }

        /** What the endpoints serve; by default this host's, found on the class path. */
        public Builder backends(java.util.function.Consumer<Routes.Backends> configure) {
            configure.accept(backends);
            return this;
        }

        public ApiServer start() {
            if (!unix && tcp == null) throw new ApiServerException("nothing to listen on: neither a unix socket nor a TCP address");
            SslContext ssl = tlsCert == null ? null : sslContext();
            if (tcp != null && tcpDefaultPort) tcp = new InetSocketAddress(tcp.getHostString(), ssl == null ? 2375 : 2376);
            if (tcp != null && ssl == null) checkPlainTcp();
            chooseDefaultNetwork();
            Router router = Routes.all(backends);
            ExecutorService handlers = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("jcontainer-api-", 0).factory());
            ApiConnection.Settings settings = new ApiConnection.Settings(router, maxBody, "jcontainer/" + version() + " (linux)", handlers);
            EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()), NioIoHandler.newFactory());
            List<Channel> listeners = new ArrayList<>();
            Path socket = null;
            InetSocketAddress bound = null;
            try {
                if (unix) {
                    socket = (unixSocket == null ? defaultSocket() : unixSocket).toAbsolutePath();
                    SocketPaths.prepare(socket);
                    listeners.add(bootstrap(boss, workers, settings, null, false)
                            .channel(io.jcontainer.server.http.UnixServerChannel.class)
                            .bind(UnixDomainSocketAddress.of(socket)).syncUninterruptibly().channel());
                    SocketPaths.restrict(socket);
                }
                if (tcp != null) {
                    Channel c = bootstrap(boss, workers, settings, ssl, ssl == null && !allowPlainTcp)
                            .channel(NioServerSocketChannel.class)
                            .bind(tcp).syncUninterruptibly().channel();
                    listeners.add(c);
                    bound = (InetSocketAddress) c.localAddress();
                }
            } catch (RuntimeException e) {
                router.close();
                for (Channel c : listeners) c.close().awaitUninterruptibly();
                boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                handlers.shutdownNow();
                if (e instanceof ApiServerException) throw e;
                throw new ApiServerException("cannot listen on " + (socket != null && bound == null && listeners.isEmpty() ? socket : tcp) + ": " + e, e);
            }
            LOG.info("Docker Engine API listening on{}{}", socket == null ? "" : " unix://" + socket,
                    bound == null ? "" : " tcp://" + bound.getAddress().getHostAddress() + ":" + bound.getPort() + (ssl == null ? " (plain)" : " (TLS)"));
            return new ApiServer(boss, workers, handlers, listeners, socket, bound, router);
        }

        private ServerBootstrap bootstrap(EventLoopGroup boss, EventLoopGroup workers, ApiConnection.Settings settings, SslContext ssl,
                                          boolean loopbackOnly) {
            long timeoutMs = requestTimeout.toMillis();
            return new ServerBootstrap().group(boss, workers)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (loopbackOnly && ch.remoteAddress() instanceof InetSocketAddress r && !r.getAddress().isLoopbackAddress()) {
                                LOG.warn("refusing plain TCP from {}: only loopback clients may connect without TLS", r);
                                ch.close();
                                return;
                            }
                            // A client that shuts its side (stdin's end, mid-attach) still gets its answer: the unix
                            // channel is our own UnixChannel for this (Netty's closes at the client's EOF).
                            if (ch.config() instanceof DuplexChannelConfig d) d.setAllowHalfClosure(true);
                            if (ssl != null) ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
                            ch.pipeline().addLast("idle", new IdleStateHandler(timeoutMs, 0, 0, TimeUnit.MILLISECONDS));
                            ch.pipeline().addLast("http", new HttpServerCodec(8192, 64 * 1024, 64 * 1024));
                            ch.pipeline().addLast("api", new ApiConnection(settings));
                        }
                    });
        }

        /** The default network, decided once per server and said once in the log. */
        private void chooseDefaultNetwork() {
            DefaultNetwork.Choice choice;
            try {
                choice = DefaultNetwork.choose(defaultNetwork != null ? defaultNetwork : DefaultNetwork.setting(), DefaultNetwork.root(),
                        DefaultNetwork.nftables(), DefaultNetwork.networkHelper());
            } catch (IllegalArgumentException e) {
                throw new ApiServerException("the default network: " + e.getMessage());
            }
            backends.defaultNetwork(choice.network());
            if (choice.warning() != null) LOG.warn("containers created without a network mode: {}", choice.warning());
            else LOG.info("containers created without a network mode go on {}", choice.network() == null ? "loopback only (none)"
                    : DefaultNetwork.root() ? "the default bridge" : "the default bridge through pasta (or slirp4netns)");
        }

        private void checkPlainTcp() {
            InetAddress a = tcp.getAddress();
            if (a == null) throw new ApiServerException("cannot resolve the TCP address " + tcp.getHostString());
            if (a.isLoopbackAddress()) return;
            if (!allowPlainTcp)
                throw new ApiServerException("refusing plain TCP on " + tcp + ": without TLS, anyone who can reach it controls your containers — "
                        + "give --tlsverify --tlscacert --tlscert --tlskey, listen on 127.0.0.1, or say --insecure-tcp to accept the risk");
            LOG.warn("listening on plain TCP {} without TLS: anyone who can reach it controls the containers of this user", tcp);
        }

        private SslContext sslContext() {
            try {
                SslContextBuilder b = SslContextBuilder.forServer(tlsCert.toFile(), tlsKey.toFile());
                if (tlsCa != null) b.trustManager(tlsCa.toFile()).clientAuth(ClientAuth.REQUIRE);
                return b.build();
            } catch (Exception e) {
                throw new ApiServerException("cannot load the TLS certificate " + tlsCert + " and key " + tlsKey
                        + (tlsCa == null ? "" : " (CA " + tlsCa + ")") + ": " + e.getMessage(), e);
            }
        }
    }
}
