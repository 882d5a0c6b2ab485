package io.jcontainer.linux;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Every setting the Linux runtime takes from system properties and the environment, in one
 * place: its name, its default, how it is parsed. Nothing else in jcontainer-linux reads
 * {@code System.getProperty("jcontainer.…")} or {@code System.getenv} ({@code SettingsTest}
 * fails the build when something does); facts the JDK reports about the host ({@code os.arch},
 * {@code os.name}, {@code user.name}, {@code java.io.tmpdir}) are not settings and are read where
 * used. The table is in docs/architecture.md ("Settings").
 *
 * <p>Each accessor reads its property when called — where the runtime decides (a runtime's
 * construction, a start, the first use of the default network) — rather than once per JVM:
 * the benchmarks switch the comparison switches between starts in one JVM ({@code Phases}), and
 * tests point {@code jcontainer.stateDir} at a directory of their own. A read is a hash lookup;
 * none is on a path that a start repeats more than once.
 */
public final class Settings {
    /** Where recorded containers live (a path). Default: see {@link #stateDir()}. */
    public static final String STATE_DIR = "jcontainer.stateDir";
    /** The environment's spelling of {@link #STATE_DIR}; the property wins. */
    public static final String STATE_DIR_ENV = "JCONTAINER_STATE_DIR";
    /** {@code server} (default: launchers forked by a spawn server) or {@code direct} (one posix_spawn each). */
    public static final String SPAWN = "jcontainer.spawn";
    /** {@code program}: nftables through the {@code nft} program even when libnftables is installed. */
    public static final String NFT = "jcontainer.nft";
    /** The default bridge network's subnet when it is first made (CIDR); default: the first free one of 172.17-31.0.0/16, 10.88.0.0/16, 192.168.0-240.0/20. */
    public static final String BRIDGE_SUBNET = "jcontainer.bridgeSubnet";
    /**
     * The default bridge network's MTU when it is first made (dockerd's {@code --mtu}): as the
     * network's {@code com.docker.network.driver.mtu}, the MTU of its links and routes. Default:
     * 65520 on the links, 1500 on containers' default routes (see NetworkConfig#defaultRouteMtu).
     */
    public static final String BRIDGE_MTU = "jcontainer.bridgeMtu";
    /** {@code false}: clone3 makes the network namespace instead of the helper thread beside the child (benchmarks' comparison). */
    public static final String NET_HELPER = "jcontainer.netHelper";
    /** {@code false}: cgroups are made before the launch instead of while the child sets up (benchmarks' comparison). */
    public static final String DEFER_CGROUPS = "jcontainer.deferCgroups";
    /** {@code false}: cgroup v1's freezer is made at every start instead of at the first pause (benchmarks' comparison). */
    public static final String LAZY_FREEZER = "jcontainer.lazyFreezer";
    /**
     * How many endpoints a runtime keeps ready for starts on a bridge network it has used: each a
     * new network namespace with its veth on the bridge, its address, route and /etc files
     * (default 2; 0: every start makes its own, as a short-lived CLI does). Each is used by one
     * container only; they die with the JVM.
     */
    public static final String NETWORK_WARM = "jcontainer.network.warm";
    /** The user's runtime directory (systemd's); rootless state and the runtime directory go under it. */
    public static final String XDG_RUNTIME_DIR = "XDG_RUNTIME_DIR";
    /** Forces one image-root mechanism: overlay, fuse-overlayfs, copy, or auto ({@code ImageRoots}). */
    public static final String IMAGE_ROOT = "jcontainer.imageRoot";
    /** Tests only: the kernel overlay is given an overlapping lower so the kernel refuses it ({@code ImageRoots}). */
    public static final String IMAGE_ROOT_REFUSE_OVERLAY = "jcontainer.imageRoot.refuseKernelOverlay";
    /**
     * How many kernel overlay roots a root JVM keeps mounted ahead per image it started twice
     * (default 2; 0: every start mounts its own in the container, {@code ReadyRoots}). Each is used
     * by one container only; they are unmounted and removed at the JVM's exit, or by the next
     * start in the store after a crash.
     */
    public static final String IMAGE_ROOT_READY = "jcontainer.imageRoot.ready";

    private Settings() {
    }

    /**
     * {@value #STATE_DIR}, else {@code $JCONTAINER_STATE_DIR}; empty when neither is set (then
     * root's containers are in /run/jcontainer/containers, a user's in
     * $XDG_RUNTIME_DIR/jcontainer/containers).
     */
    public static Optional<Path> stateDir() {
        String v = System.getProperty(STATE_DIR, System.getenv(STATE_DIR_ENV));
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(Path.of(v));
    }

    /** {@value #SPAWN}: "server" (the default) or "direct". */
    public static String spawnMode() {
        return System.getProperty(SPAWN, "server");
    }

    /** {@value #NFT}{@code =program}: skip libnftables. */
    public static boolean nftProgramOnly() {
        return "program".equals(System.getProperty(NFT));
    }

    /** {@value #BRIDGE_SUBNET}, when set. */
    public static Optional<String> bridgeSubnet() {
        String v = System.getProperty(BRIDGE_SUBNET);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /** {@value #BRIDGE_MTU}, when set (a number; the network checks its range). */
    public static Optional<String> bridgeMtu() {
        String v = System.getProperty(BRIDGE_MTU);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    /** {@value #NETWORK_WARM}: 2 unless set to a number (at most 16). */
    public static int networkWarm() {
        String v = System.getProperty(NETWORK_WARM);
        try {
            return v == null || v.isEmpty() ? 2 : Math.max(0, Math.min(16, Integer.parseInt(v.strip())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(NETWORK_WARM + "='" + v + "': a number of namespaces (0 to 16)");
        }
    }

    /** {@value #NET_HELPER}: on unless "false". */
    public static boolean netHelper() {
        return !"false".equals(System.getProperty(NET_HELPER));
    }

    /** {@value #DEFER_CGROUPS}: on unless "false". */
    public static boolean deferCgroups() {
        return !"false".equals(System.getProperty(DEFER_CGROUPS));
    }

    /** {@value #LAZY_FREEZER}: on unless "false". */
    public static boolean lazyFreezer() {
        return !"false".equals(System.getProperty(LAZY_FREEZER));
    }

    /** {@value #IMAGE_ROOT}: {@code auto} unless set. */
    public static String imageRoot() {
        return System.getProperty(IMAGE_ROOT, "auto").strip();
    }

    /** {@value #IMAGE_ROOT_READY}: 2 unless set to a number (at most 16). */
    public static int imageRootReady() {
        String v = System.getProperty(IMAGE_ROOT_READY);
        try {
            return v == null || v.isEmpty() ? 2 : Math.max(0, Math.min(16, Integer.parseInt(v.strip())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(IMAGE_ROOT_READY + "='" + v + "': a number of mounted roots per image (0 to 16)");
        }
    }

    /** {@value #IMAGE_ROOT_REFUSE_OVERLAY}: off unless "true". */
    public static boolean refuseKernelOverlay() {
        return Boolean.parseBoolean(System.getProperty(IMAGE_ROOT_REFUSE_OVERLAY));
    }

    /** {@code $XDG_RUNTIME_DIR}, when set and not empty. */
    public static Optional<Path> xdgRuntimeDir() {
        String v = System.getenv(XDG_RUNTIME_DIR);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(Path.of(v));
    }
}
