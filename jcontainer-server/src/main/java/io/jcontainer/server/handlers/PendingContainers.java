package io.jcontainer.server.handlers;

import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;
import io.jcontainer.NetworkMode;
import io.jcontainer.NetworkOptions;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.AttachSession;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.server.http.ApiError;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Containers created (docker's {@code POST /containers/create}) and not started yet. The
 * lifecycle API cannot yet hold a created container across processes (its {@code create} is
 * not implemented), so this server holds the configuration until {@code start} runs it: docker's
 * {@code run} (create, attach, wait, start) works, and {@code create} then {@code start} later too,
 * as long as this server lives. Once started, the id given at create names the real container.
 */
final class PendingContainers {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One created container; the futures complete when it starts. */
    static final class Entry {
        final String id;
        final String name;
        final String image;
        /** Its configuration; a network connect or disconnect before the start changes it. */
        volatile ContainerSpec spec;
        final boolean autoRemove;
        /** docker's StdinOnce (run -i): the end of the attached client's input is the end of the container's stdin. */
        volatile boolean stdinOnce;
        /**
         * What its HostConfig asked of the network it was disconnected from before the start
         * (published ports, DNS, extra hosts): docker keeps them in HostConfig, not in the
         * endpoint, so a network connected next gets them (docker-compose disconnects and
         * connects again the network a created container is on).
         */
        volatile NetworkOptions hostConfig;
        /** Networks connected before the start beyond the spec's one: joined right after it. */
        final Map<String, NetworkOptions> later = new java.util.concurrent.ConcurrentSkipListMap<>();
        final Instant created = Instant.now();
        /** The real container's id, once started. */
        final CompletableFuture<String> started = new CompletableFuture<>();
        /** An attach made before start: the session, from the container's first output on. */
        volatile CompletableFuture<AttachSession> attach;
        /** How it exited, as the early attach saw it (a --rm container may be gone before anyone asks). */
        final CompletableFuture<Optional<ContainerExit>> exit = new CompletableFuture<>();

        Entry(String id, String name, String image, ContainerSpec spec, boolean autoRemove) {
            this.id = id;
            this.name = name;
            this.image = image;
            this.spec = spec;
            this.autoRemove = autoRemove;
        }

        ContainerInfo info() {
            return new ContainerInfo(id, name, image, spec.command(), spec, ContainerInfo.Status.CREATED, 0, created, null, null, null,
                    autoRemove, spec.restartPolicy() == null ? "no" : spec.restartPolicy().toString(),
                    new ContainerInfo.Streams(spec.tty(), spec.stdin() instanceof io.jcontainer.Stdio.Pipe, false, true, true),
                    spec.annotations(), List.of(), null, 0);
        }
    }

    private final Map<String, Entry> pending = new ConcurrentHashMap<>();
    private final Map<String, String> startedAs = new ConcurrentHashMap<>();
    /** Image names of the containers this server started, while the store keeps no annotations. */
    private final Map<String, String> images = new ConcurrentHashMap<>();

    /** Started containers' create ids by their real ids: clients keep seeing the id create gave them. */
    private final Map<String, String> createdAs = new ConcurrentHashMap<>();

    /** The id a client knows a container by: the one create returned, if this server created it. */
    String display(String realId) {
        return createdAs.getOrDefault(realId, realId);
    }

    String imageOf(String realId) {
        return images.get(realId);
    }

    Entry add(String name, String image, ContainerSpec spec, boolean autoRemove) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        Entry e = new Entry(HexFormat.of().formatHex(b), name, image, spec, autoRemove);
        pending.put(e.id, e);
        return e;
    }

    List<Entry> all() {
        return List.copyOf(pending.values());
    }

    /** The created, not started container a reference names (id, unique id prefix, name), if any. */
    Entry find(String ref) {
        Entry e = pending.get(ref);
        if (e != null) return e;
        Entry found = null;
        for (Entry x : pending.values()) {
            if (ref.equals(x.name)) return x;
            if (x.id.startsWith(ref)) {
                if (found != null) throw ApiError.notFound("multiple IDs found with provided prefix: " + ref);
                found = x;
            }
        }
        return found;
    }

    boolean nameTaken(String name) {
        return pending.values().stream().anyMatch(e -> name.equals(e.name));
    }

    /** The started container's id for a reference made with the id create gave; the reference otherwise. */
    String resolve(String ref) {
        String real = startedAs.get(ref);
        if (real != null) return real;
        if (ref.length() >= 12) for (var a : startedAs.entrySet()) if (a.getKey().startsWith(ref)) return a.getValue();
        return ref;
    }

    void started(Entry e, String realId) {
        pending.remove(e.id);
        startedAs.put(e.id, realId);
        images.put(realId, e.image);
        createdAs.put(realId, e.id);
        e.started.complete(realId);
    }

    /**
     * {@code network connect} to a created container (docker-compose does it between create and
     * start): the container is not wired yet, so the network becomes its spec's (the same
     * network: these options replace the create's aliases, address and MAC) or one it joins right
     * after the start. False when the reference names no created container.
     */
    boolean connectBeforeStart(Containers containers, String ref, String network, NetworkOptions options) {
        Entry e = find(ref);
        if (e == null) return false;
        synchronized (e) {
            if (e.started.isDone()) return false;
            if (e.spec.network() instanceof NetworkMode.Named n && n.name().equals(network) || e.spec.network() instanceof NetworkMode.None) {
                NetworkOptions was = e.spec.network() instanceof NetworkMode.Named n ? n.options()
                        : e.hostConfig != null ? e.hostConfig : NetworkOptions.NONE;
                NetworkOptions now = new NetworkOptions(options.aliases(), was.ports(), options.ip() != null ? options.ip() : was.ip(),
                        options.macAddress() != null ? options.macAddress() : was.macAddress(), was.dns(), was.dnsSearch(), was.dnsOptions(), was.extraHosts(),
                        options.ip6() != null ? options.ip6() : was.ip6());
                e.spec = e.spec.toBuilder().networkMode(new NetworkMode.Named(network, now)).build();
            } else if (e.spec.network() instanceof NetworkMode.Named) {
                if (e.later.putIfAbsent(network, options) != null)
                    throw ApiError.conflict("container " + ref + " is already connected to network " + network);
            } else {
                throw ApiError.badRequest("container " + ref + " is on network " + e.spec.network() + ": it cannot also join " + network);
            }
            return true;
        }
    }

    /** {@code network disconnect} from a created container: the network leaves its spec. False when the reference names no created container. */
    boolean disconnectBeforeStart(Containers containers, String ref, String network) {
        Entry e = find(ref);
        if (e == null) return false;
        synchronized (e) {
            if (e.started.isDone()) return false;
            if (e.later.remove(network) != null) return true;
            if (e.spec.network() instanceof NetworkMode.Named n && n.name().equals(network)) {
                NetworkOptions o = n.options();
                e.hostConfig = new NetworkOptions(List.of(), o.ports(), null, null, o.dns(), o.dnsSearch(), o.dnsOptions(), o.extraHosts(), null);
                e.spec = e.spec.toBuilder().networkMode(NetworkMode.NONE).build();
                return true;
            }
            throw ApiError.notFound("container " + ref + " is not connected to network " + network);
        }
    }

    void remove(Entry e) {
        pending.remove(e.id);
        e.started.completeExceptionally(ApiError.notFound("No such container: " + e.id + " (removed before it started)"));
        e.exit.complete(Optional.empty());
    }
}
