package io.jcontainer.server.http;

import io.jcontainer.ContainerException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One client connection: reads a request, runs its handler on a thread of its own, writes the
 * answer, and reads the next. While a handler runs the channel does not read on its own (no
 * pipelined request can interleave; a streamed body is read as the handler consumes it). Once a
 * handler hijacks the connection the HTTP codec leaves the pipeline and bytes flow raw.
 *
 * <p>States: IDLE (between requests) → WHOLE_BODY (collecting a bounded body) or STREAM_BODY →
 * RUNNING (handler on its thread) → IDLE, or HIJACKED until the handler returns, then closed.
 * A handler that answered before it read its streamed body to the end (a tar's trailer left
 * unread, an error found in the query) leaves the connection in DRAIN: the rest of the body is
 * read and dropped, then IDLE. The answer is already sent, so closing instead would come with no
 * {@code Connection: close}, and a client reusing its pooled connection would find it gone
 * (docker-java: "failed to respond"). A body far longer than anyone waits for is cut off.
 * A client idle in IDLE or WHOLE_BODY, or stalling a body the handler waits for, is dropped
 * after the request timeout; a handler streaming to a quiet client (events, logs -f) is not.
 * Dropping a kept connection while idle comes with no answer to say so, so a client that reuses
 * it at that moment finds it gone: every kept answer says {@code Keep-Alive: timeout=} half the
 * request timeout (docker-java's pool, Apache HttpClient's, then retires the connection first),
 * and the idle time is counted from the end of the last answer, not from the last byte read (a
 * handler that ran for about the timeout would otherwise see its connection closed right after
 * its answer).
 */
public final class ApiConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ApiConnection.class);

    /** What every connection shares. */
    public record Settings(Router router, long maxBody, String serverHeader, Executor workers) {
    }

    private enum State { IDLE, WHOLE_BODY, STREAM_BODY, RUNNING, HIJACKED, DRAIN }

    /** How much of an unread request body is read and dropped to keep its connection (Go's server: 256 KiB). */
    static final long MAX_DRAIN = 4L << 20;

    private final Settings settings;
    private ChannelHandlerContext ctx;
    private State state = State.IDLE;
    private HttpRequest request;
    private Router.Match match;
    private ApiError rejected;
    private CompositeByteBuf body;
    private BodyStream stream;
    private boolean keepAlive;
    private boolean inputShut;
    private long drained;
    private volatile boolean keepWhileIdle;
    /** What a client sent while a handler ran (a pipelined request): read again once it is done. */
    private final java.util.ArrayDeque<Object> held = new java.util.ArrayDeque<>();
    private Connection connection;
    /** The pipeline's idle timer (the request timeout), and what kept answers say of it; null without one. */
    private IdleStateHandler idle;
    private String keepAliveTimeout;

    public ApiConnection(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.connection = new Connection(ctx.channel(), this);
        this.idle = ctx.pipeline().get(IdleStateHandler.class);
        long idleMs = idle == null ? 0 : idle.getReaderIdleTimeInMillis();
        this.keepAliveTimeout = idleMs <= 0 ? null : "timeout=" + Math.max(1, idleMs / 2000);
    }

    void keepWhileIdle() {
        ctx.executor().execute(() -> {
            keepWhileIdle = true;
            if (state == State.RUNNING && request != null && held.isEmpty() && watchWhileRunning()) ctx.channel().config().setAutoRead(true);
        });
    }

    /**
     * Whether the channel reads on while the handler runs, to see the client go at once (its EOF
     * closes the channel: a followed log or a wait ends, and a Testcontainers session learns its
     * client died). Only on a session's connections: an EOF read early would cut short the answer
     * to a client that half-closed after its request.
     * Never where the handler may hijack the connection: what follows the request is the
     * container's stdin, which the HTTP codec would take for a request.
     */
    private boolean watchWhileRunning() {
        return keepWhileIdle && !mayHijack();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.RUNNING) {
            // The channel reads on while a handler runs only to see the client go (its EOF closes the
            // channel, which ends a followed log or a wait); what it sends meanwhile waits its turn.
            held.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        if (state == State.HIJACKED) {
            if (msg instanceof ByteBuf b && stream != null) stream.offer(b);
            else ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (msg instanceof HttpRequest r) onRequest(r);
            if (msg instanceof HttpContent c) onContent(c);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest r) {
        if (state != State.IDLE) {
            // The channel does not read while a request is handled; a second one here is a broken client.
            ctx.close();
            return;
        }
        if (r.decoderResult().isFailure()) {
            if (ctx.channel() instanceof io.netty.channel.socket.DuplexChannel d && d.isInputShutdown()) {
                ctx.close(); // half a request, then the client's EOF (the codec's last decode): nobody to answer
                return;
            }
            Throwable c = r.decoderResult().cause();
            sendAndClose(400, "malformed HTTP request: " + (c == null ? "?" : c.getMessage()));
            return;
        }
        request = r;
        keepAlive = HttpUtil.isKeepAlive(r);
        rejected = null;
        try {
            match = settings.router().resolve(r.method().name(), r.uri());
        } catch (ApiError e) {
            rejected = e;
            match = null;
        }
        if (HttpUtil.is100ContinueExpected(r) && rejected == null)
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        if (match != null && match.body() == Router.Body.STREAM) {
            state = State.STREAM_BODY;
            ctx.channel().config().setAutoRead(false);
            stream = new BodyStream(ctx.channel());
            run(null, stream);
            return;
        }
        long length = HttpUtil.getContentLength(r, -1L);
        if (length > settings.maxBody()) {
            sendAndClose(413, "request body of " + length + " bytes is larger than the limit of " + settings.maxBody() + " bytes");
            return;
        }
        state = State.WHOLE_BODY;
        body = ctx.alloc().compositeBuffer(1024);
    }

    private void onContent(HttpContent c) {
        switch (state) {
            case WHOLE_BODY -> {
                ByteBuf b = c.content();
                if (body.readableBytes() + (long) b.readableBytes() > settings.maxBody()) {
                    sendAndClose(413, "request body is larger than the limit of " + settings.maxBody() + " bytes");
                    return;
                }
                if (rejected == null && b.isReadable()) body.addComponent(true, b.retain());
                if (c.decoderResult().isFailure()) {
                    sendAndClose(400, "malformed request body: " + c.decoderResult().cause().getMessage());
                    return;
                }
                if (c instanceof LastHttpContent) {
                    byte[] bytes = ByteBufUtil.getBytes(body);
                    body.release();
                    body = null;
                    state = State.RUNNING;
                    ctx.channel().config().setAutoRead(watchWhileRunning());
                    if (rejected != null) {
                        Exchange ex = exchange();
                        ex.error(rejected.status(), rejected.getMessage());
                        finished(ex);
                    } else run(bytes, null);
                }
            }
            case STREAM_BODY -> {
                if (c.content().isReadable()) stream.offer(c.content().retain());
                if (c instanceof LastHttpContent) stream.end();
            }
            case DRAIN -> {
                drained += c.content().readableBytes();
                if (c.decoderResult().isFailure() || drained > MAX_DRAIN) {
                    ctx.close();
                } else if (c instanceof LastHttpContent) {
                    state = State.IDLE;
                }
            }
            default -> {
                // a body after we already answered (an error sent early): ignore
            }
        }
    }

    private Exchange exchange() {
        boolean upgrade = request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && "tcp".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE));
        return new Exchange(this, ctx.channel(), upgrade, request.method().equals(HttpMethod.HEAD));
    }

    /** Runs the handler on a thread of its own; comes back to the event loop when it is done. */
    private void run(byte[] bytes, BodyStream in) {
        Exchange ex = exchange();
        QueryStringDecoder q = new QueryStringDecoder(request.uri());
        Request req = new Request(request.method().name(), match.path(), match.version(), match.params(), q.parameters(),
                request.headers(), bytes, in, connection);
        Router.Match m = match;
        CompletableFuture.runAsync(() -> {
            Thread me = Thread.currentThread();
            Object guard = new Object();
            boolean[] running = {true};
            // A client gone ends its handler (a wait, a followed log): it would otherwise block for nobody.
            var onClose = (io.netty.util.concurrent.GenericFutureListener<io.netty.util.concurrent.Future<? super Void>>) f -> {
                synchronized (guard) {
                    if (running[0]) me.interrupt();
                }
            };
            ctx.channel().closeFuture().addListener(onClose);
            try {
                settings.router().observe(req);
                m.handler().handle(req, ex);
                if (!ex.committed()) ex.empty(204);
            } catch (Throwable t) {
                fail(ex, t);
            } finally {
                synchronized (guard) {
                    running[0] = false;
                }
                ctx.channel().closeFuture().removeListener(onClose);
                Thread.interrupted(); // the pool's thread goes back clean
            }
        }, settings.workers()).whenComplete((v, t) -> ctx.executor().execute(() -> finished(ex)));
    }

    private void fail(Exchange ex, Throwable t) {
        ApiError e = Errors.toApiError(t);
        if (ex.committed() && (t instanceof IOException || t instanceof InterruptedException)) {
            LOG.debug("{} {}: the client went away: {}", request.method(), request.uri(), t.toString());
            ctx.channel().close();
            return;
        }
        if (e.status() == 500) LOG.warn("{} {}: {}", request.method(), request.uri(), t.toString(), t instanceof ContainerException ? null : t);
        if (ex.committed()) {
            // The response has begun: the only way left to say it failed is to cut it short.
            ctx.channel().close();
        } else if (ctx.channel().isActive()) {
            ex.error(e.status(), e.getMessage());
        }
    }

    /** On the event loop: the handler returned. Ready the connection for the next request, or close it. */
    private void finished(Exchange ex) {
        if (state == State.HIJACKED) {
            ctx.channel().close();
            return;
        }
        boolean bodyLeft = stream != null && !stream.ended();
        if (stream != null) stream.close();
        stream = null;
        request = null;
        match = null;
        state = State.IDLE;
        if (!keepAlive || inputShut) {
            releaseHeld();
            ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (bodyLeft) {
            state = State.DRAIN;
            drained = 0;
        }
        restartIdleClock();
        while (!held.isEmpty() && state != State.RUNNING && state != State.HIJACKED && ctx.channel().isActive()) channelRead(ctx, held.poll());
        if (state == State.IDLE || state == State.WHOLE_BODY || state == State.DRAIN) {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
    }

    /**
     * A kept connection is idle from the end of its answer: now, and again once what the handler
     * wrote has gone out (a full answer may still be queued for a slow reader).
     */
    private void restartIdleClock() {
        if (idle == null) return;
        idle.resetReadTimeout();
        ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> idle.resetReadTimeout());
    }

    /** Whether the request is one whose connection a handler may take over (attach, exec start). */
    private boolean mayHijack() {
        String path = match == null ? "" : match.path();
        return request.headers().contains(HttpHeaderNames.UPGRADE) || path.endsWith("/attach")
                || path.startsWith("/exec/") && path.endsWith("/start");
    }

    private void releaseHeld() {
        for (Object o; (o = held.poll()) != null; ) ReferenceCountUtil.release(o);
    }

    /** Called by {@link Exchange#hijack} from the handler's thread. */
    BodyStream hijack(HttpResponse response) throws IOException {
        decorate(response);
        CompletableFuture<BodyStream> done = new CompletableFuture<>();
        ctx.executor().execute(() -> {
            ctx.writeAndFlush(response);
            // From here on the connection is not HTTP: drop the codec. Bytes it had read ahead come to us raw.
            state = State.HIJACKED;
            if (stream != null) stream.close();
            stream = new BodyStream(ctx.channel());
            if (inputShut) stream.end();
            HttpServerCodec codec = ctx.pipeline().get(HttpServerCodec.class);
            if (codec != null) ctx.pipeline().remove(codec);
            done.complete(stream);
        });
        try {
            return done.get();
        } catch (Exception e) {
            throw new IOException("cannot hijack the connection", e);
        }
    }

    /** Headers docker puts on every response. */
    void decorate(HttpResponse r) {
        r.headers().set("Api-Version", ApiVersion.MAX.toString());
        r.headers().set("Docker-Experimental", "false");
        r.headers().set("Ostype", "linux");
        r.headers().set(HttpHeaderNames.SERVER, settings.serverHeader());
        if (r.status().code() == 101) return;
        if (!keepAlive) r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        else if (keepAliveTimeout != null) r.headers().set(HttpHeaderNames.KEEP_ALIVE, keepAliveTimeout);
    }

    private void sendAndClose(int status, String message) {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(Json.bytes(Json.obj("message", message))));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        keepAlive = false;
        decorate(r);
        if (body != null) {
            body.release();
            body = null;
        }
        state = State.RUNNING;
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            boolean clientStalls = switch (state) {
                case IDLE -> !keepWhileIdle;
                case WHOLE_BODY, DRAIN -> true;
                case STREAM_BODY -> stream != null && stream.waiting();
                case RUNNING, HIJACKED -> false;
            };
            if (clientStalls) {
                LOG.debug("closing {}: no request bytes within the timeout ({})", ctx.channel(), state);
                ctx.close();
            }
            return;
        }
        // The client ended its side: a TCP or unix half-close (UnixChannel makes the unix one possible), or
        // over TLS its close_notify (Go's tls.Conn.CloseWrite: the docker CLI's end of stdin). TLS 1.3 lets
        // us write on after it.
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            if (inputShut) return;
            inputShut = true;
            switch (state) {
                case IDLE -> ctx.close();
                case WHOLE_BODY, DRAIN -> ctx.close(); // half a request will never be completed
                case STREAM_BODY -> {
                    if (stream != null) stream.fail("the client closed its side before the body ended");
                }
                case HIJACKED -> {
                    if (stream != null) stream.end(); // stdin's EOF; the output goes on
                }
                case RUNNING -> {
                    // A connection watched while its handler runs (a Testcontainers session's) reads its
                    // client's EOF as the client gone, as Go's server cancels the request then: a wait or a
                    // followed log ends. Others see it only after the answer: answer, then close.
                    if (watchWhileRunning()) ctx.close();
                }
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseHeld();
        if (body != null) {
            body.release();
            body = null;
        }
        if (stream != null) stream.fail("the client closed the connection");
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection {}: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
