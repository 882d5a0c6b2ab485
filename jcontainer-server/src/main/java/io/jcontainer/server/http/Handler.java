package io.jcontainer.server.http;

/** One endpoint. It runs on a thread of its own, so it may block (wait, logs -f, attach). */
@FunctionalInterface
public interface Handler {
    void handle(Request request, Exchange exchange) throws Exception;
}
