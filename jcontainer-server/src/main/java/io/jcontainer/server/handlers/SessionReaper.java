package io.jcontainer.server.handlers;

import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.ListQuery;
import io.jcontainer.lifecycle.NetworkInfo;
import io.jcontainer.lifecycle.VolumeInfo;
import io.jcontainer.server.http.Connection;
import io.jcontainer.server.http.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Testcontainers' Ryuk, done by the service: Ryuk's image is out of reach (Docker Hub), so a
 * session's leftovers would otherwise stay when its test JVM dies. A session is the value of the
 * label {@code org.testcontainers.sessionId} that Testcontainers puts on everything it creates.
 * Every connection that creates something with that label, or names something created so in its
 * path, is the session's; such a connection is not closed for idleness, and is read while its
 * handlers run, so its client's death is seen at once. Once none of them is open and no request
 * has named the session for the grace period, its containers (with their anonymous volumes), and
 * the networks and volumes it made, are removed — found by the label.
 *
 * <p>What it cannot tell: a client alive but silent. Ryuk keeps a connection of its own open for
 * that; docker-java does not keep one (it closes a connection after a followed log, and its pool
 * may hold none), so a test JVM that makes no request for the grace period counts as gone. The
 * grace period must be longer than the longest docker-silent stretch of the suite; it is off
 * unless set.
 */
final class SessionReaper implements AutoCloseable {
    static final String LABEL = "org.testcontainers.sessionId";
    private static final Logger LOG = LoggerFactory.getLogger(SessionReaper.class);

    private static final class Session {
        final String id;
        final Set<Connection> connections = ConcurrentHashMap.newKeySet();
        /** What it made: networks and volumes are looked for only when it made some (listing networks touches their state). */
        volatile boolean networks, volumes;
        /** When it was last seen: a request naming it, or its last connection closing (nanoTime, which may be negative). */
        volatile long lastSeen = System.nanoTime();

        Session(String id) {
            this.id = id;
        }
    }

    private final Routes.Backends backends;
    private final PendingContainers pending;
    private final Duration after;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** The session of each id and name created with its label, as clients name them in paths. */
    private final Map<String, String> owners = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    SessionReaper(Routes.Backends backends, PendingContainers pending, Duration after) {
        this.backends = backends;
        this.pending = pending;
        this.after = after == null || after.isZero() || after.isNegative() ? null : after;
        if (this.after == null) {
            timer = null;
        } else {
            timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("jcontainer-session-reaper").factory());
            long period = Math.max(100, Math.min(1000, this.after.toMillis() / 4));
            timer.scheduleWithFixedDelay(this::reapEnded, period, period, TimeUnit.MILLISECONDS);
        }
    }

    enum Kind { CONTAINER, NETWORK, VOLUME }

    /** Something was created with these labels on this request's connection (its id and name as clients will use them). */
    void created(Request q, Kind kind, Map<String, String> labels, String... refs) {
        if (timer == null || labels == null) return;
        String session = labels.get(LABEL);
        if (session == null || session.isEmpty()) return;
        for (String r : refs) if (r != null && !r.isEmpty()) owners.put(r, session);
        Session s = sessions.computeIfAbsent(session, Session::new);
        if (kind == Kind.NETWORK) s.networks = true;
        if (kind == Kind.VOLUME) s.volumes = true;
        join(s, q.connection());
    }

    /** Every request: one that names something of a session keeps that session's connection counted. */
    void observe(Request q) {
        if (timer == null || owners.isEmpty()) return;
        for (String v : q.params().values()) {
            String session = owners.get(v);
            if (session != null) {
                Session s = sessions.get(session);
                if (s != null) join(s, q.connection());
            }
        }
    }

    private void join(Session s, Connection c) {
        if (c == null) return;
        if (s.connections.add(c)) {
            c.keepWhileIdle();
            c.onClose(() -> {
                s.connections.remove(c);
                s.lastSeen = System.nanoTime();
            });
        }
        s.lastSeen = System.nanoTime();
    }

    private void reapEnded() {
        try {
            reapEndedNow();
        } catch (Throwable t) {
            // a scheduled task that throws is never run again: log and go on
            LOG.warn("reaping Testcontainers sessions: {}", t.toString(), t);
        }
    }

    private void reapEndedNow() {
        long now = System.nanoTime();
        for (Session s : sessions.values()) {
            if (!s.connections.isEmpty() || now - s.lastSeen < after.toNanos()) continue;
            sessions.remove(s.id, s);
            owners.values().removeIf(s.id::equals);
            try {
                reap(s);
            } catch (RuntimeException e) {
                LOG.warn("reaping Testcontainers session {}: {}", s.id, e.toString(), e);
            }
        }
    }

    /** Removes what carries the session's label: containers first (they hold networks and volumes). */
    private void reap(Session s) {
        String session = s.id;
        Containers c = backends.containers();
        String label = LABEL + "=" + session;
        int containers = 0, networks = 0, volumes = 0;
        for (PendingContainers.Entry e : pending.all())
            if (session.equals(e.info().labels().get(LABEL))) {
                pending.remove(e);
                containers++;
            }
        for (var ci : c.list(new ListQuery(true, Map.of("label", List.of(label))))) {
            try {
                c.remove(ci.id(), true, true);
                containers++;
            } catch (Containers.NoSuchContainerException gone) {
                // removed meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("reaping container {} of session {}: {}", ci.id(), session, e.toString());
            }
        }
        if (s.networks) for (NetworkInfo n : c.networks().list()) {
            if (!session.equals(n.labels().get(LABEL))) continue;
            try {
                c.networks().remove(n.id());
                networks++;
            } catch (RuntimeException e) {
                LOG.warn("reaping network {} of session {}: {}", n.name(), session, e.toString());
            }
        }
        if (s.volumes) for (VolumeInfo v : c.volumes().list(Map.of("label", List.of(label)))) {
            try {
                c.volumes().remove(v.name());
                volumes++;
            } catch (RuntimeException e) {
                LOG.warn("reaping volume {} of session {}: {}", v.name(), session, e.toString());
            }
        }
        LOG.info("Testcontainers session {} ended (no connection or request for {}): removed {} containers, {} networks, {} volumes",
                session, after, containers, networks, volumes);
    }

    @Override
    public void close() {
        if (timer != null) timer.shutdownNow();
    }
}
