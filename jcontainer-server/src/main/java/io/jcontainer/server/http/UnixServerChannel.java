package io.jcontainer.server.http;

import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.AbstractNioMessageChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;

/**
 * The listening unix socket, through the JDK's NIO (no native code): as Netty's
 * {@code NioServerDomainSocketChannel}, but its connections are {@link UnixChannel}s, which can be
 * half-closed. A docker client shuts its write side when its stdin ends ({@code echo x | docker
 * exec -i}, {@code docker-compose exec -T}); Netty's own unix channel closes the whole connection
 * then (its NIO read loop honours {@code ALLOW_HALF_CLOSURE} only for a {@code
 * SocketChannelConfig}, which its unix config is not), and the output still to come is lost.
 */
public final class UnixServerChannel extends AbstractNioMessageChannel implements ServerChannel {
    private static final Logger LOG = LoggerFactory.getLogger(UnixServerChannel.class);
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final Config config = new Config(this);
    private volatile boolean bound;

    public UnixServerChannel() {
        super(null, open(), SelectionKey.OP_ACCEPT);
    }

    private static ServerSocketChannel open() {
        try {
            return ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a unix server socket", e);
        }
    }

    @Override
    protected ServerSocketChannel javaChannel() {
        return (ServerSocketChannel) super.javaChannel();
    }

    @Override
    public DefaultChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isActive() {
        return isOpen() && bound;
    }

    @Override
    protected void doBind(SocketAddress local) throws Exception {
        javaChannel().bind(local, config.backlog);
        bound = true;
    }

    @Override
    protected int doReadMessages(List<Object> buf) throws Exception {
        SocketChannel ch = javaChannel().accept();
        if (ch == null) return 0;
        try {
            buf.add(new UnixChannel(this, ch));
            return 1;
        } catch (RuntimeException e) {
            LOG.warn("cannot set up an accepted unix connection: {}", e.toString());
            ch.close();
            return 0;
        }
    }

    @Override
    protected boolean doWriteMessage(Object msg, ChannelOutboundBuffer in) {
        throw new UnsupportedOperationException("a listening socket is not written to");
    }

    @Override
    protected void doClose() throws Exception {
        javaChannel().close();
    }

    @Override
    protected SocketAddress localAddress0() {
        try {
            return javaChannel().getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return null;
    }

    @Override
    protected boolean doConnect(SocketAddress remote, SocketAddress local) {
        throw new UnsupportedOperationException("a listening socket does not connect");
    }

    @Override
    protected void doFinishConnect() {
        throw new UnsupportedOperationException("a listening socket does not connect");
    }

    @Override
    protected void doDisconnect() {
        throw new UnsupportedOperationException("a listening socket does not disconnect");
    }

    /** The generic options, and SO_BACKLOG. */
    private static final class Config extends DefaultChannelConfig {
        private volatile int backlog = 128;

        Config(UnixServerChannel channel) {
            super(channel);
        }

        @Override
        public Map<ChannelOption<?>, Object> getOptions() {
            return getOptions(super.getOptions(), ChannelOption.SO_BACKLOG);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getOption(ChannelOption<T> option) {
            if (option == ChannelOption.SO_BACKLOG) return (T) Integer.valueOf(backlog);
            return super.getOption(option);
        }

        @Override
        public <T> boolean setOption(ChannelOption<T> option, T value) {
            validate(option, value);
            if (option == ChannelOption.SO_BACKLOG) {
                backlog = (Integer) value;
                return true;
            }
            return super.setOption(option, value);
        }
    }
}
