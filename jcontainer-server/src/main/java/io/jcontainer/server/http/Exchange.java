package io.jcontainer.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * A handler's answer to one request: a whole response, a streamed one (chunked: logs, events,
 * pull progress), or the connection itself (hijacked: attach, exec start). Writes wait until the
 * client has taken the bytes, so a slow reader slows the handler down instead of filling the heap.
 */
public final class Exchange {
    private final ApiConnection connection;
    private final Channel channel;
    private final boolean upgradeAsked;
    private final boolean head;
    private volatile boolean committed;

    Exchange(ApiConnection connection, Channel channel, boolean upgradeAsked, boolean head) {
        this.connection = connection;
        this.channel = channel;
        this.upgradeAsked = upgradeAsked;
        this.head = head;
    }

    /** Whether a response has begun (an error can then no longer be sent as one). */
    public boolean committed() {
        return committed;
    }

    /** The client is still connected. */
    public boolean open() {
        return channel.isActive();
    }

    public void json(int status, Object body) {
        send(status, "application/json", Json.bytes(body));
    }

    public void text(int status, String body) {
        send(status, "text/plain; charset=utf-8", body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A response without a body (204 No Content, 304 Not Modified...). */
    public void empty(int status) {
        commit();
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        if (status != 204 && status != 304) r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        write(r, Map.of());
    }

    public void send(int status, String contentType, byte[] body) {
        send(status, contentType, body, Map.of());
    }

    public void send(int status, String contentType, byte[] body, Map<String, String> headers) {
        commit();
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        write(r, headers);
    }

    /** docker's error: {@code {"message": ...}} with its status. */
    public void error(int status, String message) {
        json(status, Json.obj("message", message));
    }

    /**
     * A streamed body (chunked). Each write reaches the client before it returns; close ends the
     * response. Writes after the client left throw IOException.
     */
    public OutputStream stream(int status, String contentType) {
        return stream(status, contentType, Map.of());
    }

    public OutputStream stream(int status, String contentType, Map<String, String> headers) {
        commit();
        DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        write(r, headers);
        return new OutputStream() {
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (closed) throw new IOException("the response is complete");
                if (len == 0) return;
                await(channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(b, off, len))));
            }

            @Override
            public void close() throws IOException {
                if (closed) return;
                closed = true;
                if (channel.isActive()) await(channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            }
        };
    }

    /** The connection taken over by a handler: raw bytes both ways (attach, exec start). */
    public interface Hijacked {
        /** From the client (a container's stdin); ends when the client shuts its side. */
        InputStream in();

        /** To the client: raw, or {@link MuxStream} frames. */
        OutputStream out();
    }

    /**
     * Answers {@code 101 UPGRADED} (or, to an old client that did not ask to upgrade, 200) and
     * hands the connection over: from here on it is no longer HTTP. The connection closes when
     * the handler returns.
     */
    public Hijacked hijack(String contentType) throws IOException {
        commit();
        HttpResponse r = upgradeAsked
                ? new DefaultHttpResponse(HttpVersion.HTTP_1_1, new HttpResponseStatus(101, "UPGRADED"))
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (upgradeAsked) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            r.headers().set(HttpHeaderNames.UPGRADE, "tcp");
        }
        BodyStream in = connection.hijack(r);
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len == 0) return;
                await(channel.writeAndFlush(Unpooled.copiedBuffer(b, off, len)));
            }
        };
        return new Hijacked() {
            @Override
            public InputStream in() {
                return in;
            }

            @Override
            public OutputStream out() {
                return out;
            }
        };
    }

    private void commit() {
        if (committed) throw new IllegalStateException("a response was already sent");
        committed = true;
    }

    private void write(HttpResponse r, Map<String, String> headers) {
        connection.decorate(r);
        headers.forEach((k, v) -> r.headers().set(k, v));
        channel.writeAndFlush(r);
    }

    private static void await(ChannelFuture f) throws IOException {
        try {
            f.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing to the client");
        }
        if (!f.isSuccess()) throw new IOException("the client went away", f.cause());
    }
}
