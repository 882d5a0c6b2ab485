package io.jcontainer.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the server drops a kept connection for idleness, on a clock it controls (Netty's embedded
 * channel with its time frozen): the pipeline is the server's (idle timer, HTTP codec, connection),
 * the handler a real one on a thread of its own. A client that pools connections must never find
 * one closed right after an answer: the idle time counts from the answer, and the answer says how
 * long the client may keep the connection (Keep-Alive: timeout=, half the server's).
 */
class IdleConnectionTest {
    static final long TIMEOUT_MS = 2000;
    final ExecutorService workers = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    private EmbeddedChannel channel(Router router) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast("idle", new IdleStateHandler(TIMEOUT_MS, 0, 0, TimeUnit.MILLISECONDS));
        ch.pipeline().addLast("http", new HttpServerCodec());
        ch.pipeline().addLast("api", new ApiConnection(new ApiConnection.Settings(router, 1 << 20, "test", workers)));
        return ch;
    }

    private static void request(EmbeddedChannel ch, String path) {
        ch.writeInbound(Unpooled.copiedBuffer("GET " + path + " HTTP/1.1\r\nHost: docker\r\n\r\n", StandardCharsets.US_ASCII));
    }

    /** What the server wrote so far, as text. */
    private static String written(EmbeddedChannel ch) {
        StringBuilder s = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            s.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return s.toString();
    }

    /** Lets the handler's thread finish what it was given (its answer and its hand-back to the event loop). */
    private void handlerDone() throws Exception {
        workers.submit(() -> { }).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aConnectionWhoseHandlerRanForAlmostTheTimeoutIsKeptAfterItsAnswer() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        EmbeddedChannel ch = channel(new Router().get("/slow", (q, x) -> {
            answer.await();
            x.text(200, "done");
        }));
        request(ch, "/slow");
        ch.advanceTimeBy(TIMEOUT_MS - 100, TimeUnit.MILLISECONDS); // the handler works for 1.9 s: nothing read meanwhile
        ch.runScheduledPendingTasks();
        answer.countDown();
        handlerDone();
        ch.runPendingTasks();
        String response = written(ch);
        assertThat(response).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("keep-alive: timeout=1\r\n").endsWith("done");

        // 0.2 s after the answer: 2.1 s since the request was read, yet the client may still reuse the connection
        ch.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("the connection 0.2 s after its answer").isTrue();

        // an idle client is still dropped, a timeout after the answer
        ch.advanceTimeBy(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("the connection a timeout after its answer").isFalse();
    }

    @Test
    void aKeptConnectionServesTheNextRequestAndAClosedOneSaysSo() throws Exception {
        EmbeddedChannel ch = channel(new Router().get("/ping", (q, x) -> x.text(200, "OK")));
        request(ch, "/ping");
        handlerDone();
        ch.runPendingTasks();
        assertThat(written(ch)).containsIgnoringCase("keep-alive: timeout=1\r\n").doesNotContainIgnoringCase("connection: close");

        ch.writeInbound(Unpooled.copiedBuffer("GET /ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n", StandardCharsets.US_ASCII));
        handlerDone();
        ch.runPendingTasks();
        assertThat(written(ch)).containsIgnoringCase("connection: close\r\n").doesNotContainIgnoringCase("keep-alive:").endsWith("OK");
        assertThat(ch.isOpen()).isFalse();
    }
}
