package io.jcontainer.server.handlers;

import io.jcontainer.docker.DockerCreate;
import io.jcontainer.image.Images;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.server.http.Router;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Every endpoint, one handler class per resource (as podman's compat handlers). */
public final class Routes {
    private Routes() {
    }

    /** What the endpoints serve. Unset parts are this host's, loaded when first used. */
    public static final class Backends {
        private Supplier<Containers> containers = memo(Containers::get);
        private Supplier<Images> images = memo(Images::open);
        final Map<String, DockerCreate.ImageDefaults> imageDirectories = new ConcurrentHashMap<>();
        private java.time.Duration reapSessionsAfter;
        private volatile String defaultNetwork;

        /**
         * The network a container created without one gets ({@code HostConfig.NetworkMode} empty
         * or {@code default}), and a build's RUN steps with docker's {@code default}:
         * {@code bridge} (dockerd's: the default bridge as root, pasta as an ordinary user), or
         * null for loopback only. The server sets it from {@link io.jcontainer.docker.DefaultNetwork}.
         */
        public Backends defaultNetwork(String network) {
            this.defaultNetwork = network;
            return this;
        }

        String defaultNetwork() {
            return defaultNetwork;
        }

        /** Testcontainers sessions are reaped this long after their last connection and request (see SessionReaper); null or zero: never (the default). */
        public Backends reapSessionsAfter(java.time.Duration after) {
            this.reapSessionsAfter = after;
            return this;
        }

        /** The recorded containers to serve (default: this user's, {@link Containers#get()}). */
        public Backends containers(Containers c) {
            this.containers = () -> c;
            return this;
        }

        /**
         * Serves a root directory as the image {@code name} ({@code docker run NAME} runs in it,
         * with {@code cmd} when the client gives no command): a locally built root, no registry.
         */
        public Backends imageDirectory(String name, Path rootfs, List<String> cmd) {
            imageDirectories.put(ImageNames.normalize(name), new DockerCreate.ImageDefaults(rootfs, List.of(), cmd,
                    List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), "", ""));
            return this;
        }

        /** The image store to serve (default: this user's, {@link Images#open()}). */
        public Backends images(Images i) {
            this.images = () -> i;
            return this;
        }

        Containers containers() {
            return containers.get();
        }

        Images images() {
            return images.get();
        }

        private static <T> Supplier<T> memo(Supplier<T> s) {
            return new Supplier<>() {
                private volatile T value;

                @Override
                public T get() {
                    T v = value;
                    if (v == null) synchronized (this) {
                        if ((v = value) == null) value = v = s.get();
                    }
                    return v;
                }
            };
        }
    }

    public static Router all(Backends b) {
        Router r = new Router();
        PendingContainers pending = new PendingContainers();
        SessionReaper reaper = new SessionReaper(b, pending, b.reapSessionsAfter);
        r.observer(reaper::observe).closeWithServer(reaper);
        ContainerHandler containers = new ContainerHandler(b, pending, reaper);
        new SystemHandler(b, pending, containers).install(r);
        new AuthHandler(b).install(r);
        containers.install(r);
        new ExecHandler(b, pending).install(r);
        new ArchiveHandler(b, pending).install(r);
        new ImagesHandler(b).install(r);
        new VolumesHandler(b, reaper).install(r);
        new NetworksHandler(b, pending, reaper).install(r);
        new BuildHandler(b).install(r);
        new EventsHandler(b, pending).install(r);
        return r;
    }
}
