package io.jcontainer.server.http;

import io.netty.channel.Channel;

/**
 * The client connection a request came on, as handlers may see it: whether it is still open,
 * what to do when it closes, and whether it may be closed for idleness (a connection a
 * Testcontainers session is known by must stay while its client keeps it: its end is the
 * session's).
 */
public final class Connection {
    private final Channel channel;
    private final ApiConnection owner;

    Connection(Channel channel, ApiConnection owner) {
        this.channel = channel;
        this.owner = owner;
    }

    public boolean open() {
        return channel.isOpen();
    }

    /** Runs {@code r} once the connection has closed (at once if it has). */
    public void onClose(Runnable r) {
        channel.closeFuture().addListener(f -> r.run());
    }

    /** Not closed for idleness between requests from now on (it is closed when the client closes it). */
    public void keepWhileIdle() {
        owner.keepWhileIdle();
    }

    @Override
    public String toString() {
        return channel.toString();
    }
}
