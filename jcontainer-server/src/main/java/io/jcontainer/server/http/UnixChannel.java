package io.jcontainer.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.FileRegion;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.AbstractNioByteChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannelConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Map;

/**
 * One accepted unix-socket connection ({@link UnixServerChannel}): the JDK's NIO channel under
 * Netty's byte-channel read and write loops. What it adds to Netty's {@code NioDomainSocketChannel}
 * is a config that is a {@link SocketChannelConfig}: the read loop honours {@code
 * ALLOW_HALF_CLOSURE} only for one, so only with it does a client's EOF become a {@code
 * ChannelInputShutdownEvent} (stdin ended, the answer still flows) instead of a close. The TCP
 * options of that interface mean nothing on a unix socket: they read as off and setting them does
 * nothing; the buffer sizes are the socket's own.
 */
public final class UnixChannel extends AbstractNioByteChannel implements DuplexChannel {
    private final Config config;
    private volatile boolean inputShut, outputShut;

    UnixChannel(UnixServerChannel parent, SocketChannel ch) {
        super(parent, ch);
        this.config = new Config(this, ch);
    }

    @Override
    protected SocketChannel javaChannel() {
        return (SocketChannel) super.javaChannel();
    }

    @Override
    public UnixServerChannel parent() {
        return (UnixServerChannel) super.parent();
    }

    @Override
    public SocketChannelConfig config() {
        return config;
    }

    @Override
    public boolean isActive() {
        SocketChannel ch = javaChannel();
        return ch.isOpen() && ch.isConnected();
    }

    // ---- half-closing ----

    @Override
    protected boolean isInputShutdown0() {
        return inputShut;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShut || !isActive();
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShut || !isActive();
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        if (eventLoop().inEventLoop()) shutdownInputNow(promise);
        else eventLoop().execute(() -> shutdownInputNow(promise));
        return promise;
    }

    private void shutdownInputNow(ChannelPromise promise) {
        try {
            javaChannel().shutdownInput();
            inputShut = true;
            promise.setSuccess();
        } catch (Throwable t) {
            promise.setFailure(t);
        }
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        // through the unsafe: it fails the writes still queued and fires ChannelOutputShutdownEvent
        if (eventLoop().inEventLoop()) ((AbstractUnsafe) unsafe()).shutdownOutput(promise);
        else eventLoop().execute(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        return promise;
    }

    @Override
    protected void doShutdownOutput() throws Exception {
        javaChannel().shutdownOutput();
        outputShut = true;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        shutdownOutput().addListener(out -> shutdownInput().addListener(in -> {
            Throwable cause = out.cause() != null ? out.cause() : in.cause();
            if (cause == null) promise.trySuccess();
            else promise.tryFailure(cause);
        }));
        return promise;
    }

    // ---- bytes ----

    @Override
    protected int doReadBytes(ByteBuf buf) throws Exception {
        RecvByteBufAllocator.Handle h = unsafe().recvBufAllocHandle();
        h.attemptedBytesRead(buf.writableBytes());
        return buf.writeBytes(javaChannel(), h.attemptedBytesRead());
    }

    @Override
    protected int doWriteBytes(ByteBuf buf) throws Exception {
        return buf.readBytes(javaChannel(), buf.readableBytes());
    }

    @Override
    protected long doWriteFileRegion(FileRegion region) throws Exception {
        return region.transferTo(javaChannel(), region.transferred());
    }

    // ---- addresses and life ----

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
        try {
            return javaChannel().getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    protected void doBind(SocketAddress local) {
        throw new UnsupportedOperationException("an accepted connection is bound already");
    }

    @Override
    protected boolean doConnect(SocketAddress remote, SocketAddress local) {
        throw new UnsupportedOperationException("an accepted connection is connected already");
    }

    @Override
    protected void doFinishConnect() {
        throw new UnsupportedOperationException("an accepted connection is connected already");
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        super.doClose();
        javaChannel().close();
    }

    /** The generic options, half-closure and the socket's buffer sizes. */
    private static final class Config extends DefaultChannelConfig implements SocketChannelConfig {
        private final SocketChannel ch;
        private volatile boolean allowHalfClosure;

        Config(UnixChannel channel, SocketChannel ch) {
            super(channel);
            this.ch = ch;
        }

        @Override
        public Map<ChannelOption<?>, Object> getOptions() {
            return getOptions(super.getOptions(), ChannelOption.ALLOW_HALF_CLOSURE, ChannelOption.SO_RCVBUF, ChannelOption.SO_SNDBUF);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getOption(ChannelOption<T> option) {
            if (option == ChannelOption.ALLOW_HALF_CLOSURE) return (T) Boolean.valueOf(allowHalfClosure);
            if (option == ChannelOption.SO_RCVBUF) return (T) Integer.valueOf(getReceiveBufferSize());
            if (option == ChannelOption.SO_SNDBUF) return (T) Integer.valueOf(getSendBufferSize());
            return super.getOption(option);
        }

        @Override
        public <T> boolean setOption(ChannelOption<T> option, T value) {
            validate(option, value);
            if (option == ChannelOption.ALLOW_HALF_CLOSURE) setAllowHalfClosure((Boolean) value);
            else if (option == ChannelOption.SO_RCVBUF) setReceiveBufferSize((Integer) value);
            else if (option == ChannelOption.SO_SNDBUF) setSendBufferSize((Integer) value);
            else return super.setOption(option, value);
            return true;
        }

        @Override
        public boolean isAllowHalfClosure() {
            return allowHalfClosure;
        }

        @Override
        public Config setAllowHalfClosure(boolean allow) {
            allowHalfClosure = allow;
            return this;
        }

        @Override
        public int getReceiveBufferSize() {
            return socketOption(StandardSocketOptions.SO_RCVBUF);
        }

        @Override
        public Config setReceiveBufferSize(int size) {
            setSocketOption(StandardSocketOptions.SO_RCVBUF, size);
            return this;
        }

        @Override
        public int getSendBufferSize() {
            return socketOption(StandardSocketOptions.SO_SNDBUF);
        }

        @Override
        public Config setSendBufferSize(int size) {
            setSocketOption(StandardSocketOptions.SO_SNDBUF, size);
            return this;
        }

        private int socketOption(java.net.SocketOption<Integer> o) {
            try {
                return ch.getOption(o);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + o.name() + " of a unix socket", e);
            }
        }

        private void setSocketOption(java.net.SocketOption<Integer> o, int v) {
            try {
                ch.setOption(o, v);
            } catch (IOException e) {
                throw new UncheckedIOException("setting " + o.name() + " of a unix socket to " + v, e);
            }
        }

        // TCP's options: nothing on a unix socket
        @Override
        public boolean isTcpNoDelay() {
            return false;
        }

        @Override
        public Config setTcpNoDelay(boolean on) {
            return this;
        }

        @Override
        public int getSoLinger() {
            return -1;
        }

        @Override
        public Config setSoLinger(int linger) {
            return this;
        }

        @Override
        public boolean isKeepAlive() {
            return false;
        }

        @Override
        public Config setKeepAlive(boolean on) {
            return this;
        }

        @Override
        public int getTrafficClass() {
            return 0;
        }

        @Override
        public Config setTrafficClass(int tc) {
            return this;
        }

        @Override
        public boolean isReuseAddress() {
            return false;
        }

        @Override
        public Config setReuseAddress(boolean on) {
            return this;
        }

        @Override
        public Config setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
            return this;
        }

        // the generic setters, typed as SocketChannelConfig's
        @Override
        public Config setConnectTimeoutMillis(int ms) {
            super.setConnectTimeoutMillis(ms);
            return this;
        }

        @Override
        @Deprecated
        public Config setMaxMessagesPerRead(int n) {
            super.setMaxMessagesPerRead(n);
            return this;
        }

        @Override
        public Config setWriteSpinCount(int n) {
            super.setWriteSpinCount(n);
            return this;
        }

        @Override
        public Config setAllocator(ByteBufAllocator a) {
            super.setAllocator(a);
            return this;
        }

        @Override
        public Config setRecvByteBufAllocator(RecvByteBufAllocator a) {
            super.setRecvByteBufAllocator(a);
            return this;
        }

        @Override
        public Config setAutoRead(boolean on) {
            super.setAutoRead(on);
            return this;
        }

        @Override
        public Config setAutoClose(boolean on) {
            super.setAutoClose(on);
            return this;
        }

        @Override
        public Config setMessageSizeEstimator(MessageSizeEstimator e) {
            super.setMessageSizeEstimator(e);
            return this;
        }

        @Override
        public Config setWriteBufferWaterMark(WriteBufferWaterMark m) {
            super.setWriteBufferWaterMark(m);
            return this;
        }
    }
}
