package io.jcontainer.linux.net;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jcontainer.linux.Settings;
import io.jcontainer.linux.state.ProcStat;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Proc;
import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Bridge networks of this host, as data and in the kernel: the networks ({@code <root>/NAME.json}),
 * the host-wide IPAM (one endpoint file per container and network, {@code <root>/endpoints/}),
 * the bridges and veths (rtnetlink), jcontainer's nftables table, and each container's
 * /etc/hosts and /etc/resolv.conf ({@code <root>/etc/ID/}).
 *
 * <p>Every change happens under an exclusive lock on {@code <root>/.lock} (and a lock of this
 * JVM, since file locks are per process): two JVMs never hand out one address or one port.
 * Host-side kernel work (bridges, veths, nftables) runs on the calling thread, in the JVM's
 * network namespace; work inside a container's namespace runs on a {@link NetnsThread}.
 *
 * <p>Crash safety: an endpoint is written before anything is created in the kernel, and names
 * the process whose death makes it stale; {@link #sweep()} removes stale endpoints with their
 * veth and rules. A container's veth also dies with its network namespace.
 */
public final class Networks implements NetworkAttachment {
    public static final String DEFAULT = "bridge", DEFAULT_BRIDGE = "jcbr0";
    /** In a holder: an ObjectMapper costs a CLI verb tens of ms the first time, and this class is
     * loaded on paths (ps, inspect, the start) that do not all print or parse JSON with it. */
    private static final class Json {
        static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /**
     * docker's rule for network names, container names and aliases: docker-compose's
     * {@code project_network} and {@code project_service_1} are names like these. Safe as a file
     * name and as an /etc/hosts name (no '/', no white space, not "." or "..").
     */
    private static final Pattern DOCKER_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    private static final ReentrantLock JVM_LOCK = new ReentrantLock(); // file locks do not exclude threads of one process
    private static final int DEFAULT_MTU = NetworkConfig.LARGE_MTU;

    private final Syscalls sys;
    private final Path root;
    private final Nftables nft;
    private final Path hostResolvConf;

    public Networks(Syscalls sys, Path root, Nftables nft) {
        this(sys, root, nft, Path.of("/etc/resolv.conf"));
    }

    public Networks(Syscalls sys, Path root, Nftables nft, Path hostResolvConf) {
        this.sys = sys;
        this.root = root;
        this.nft = nft;
        this.hostResolvConf = hostResolvConf;
    }

    public Path root() {
        return root;
    }

    /**
     * An ordinary user's networks: their bridges live in the rootless network namespace of
     * {@code holder} (started when a container first needs it, ended when none is left), reached
     * through the sockets it hands out; no sysctls, no nftables (published ports and the way out
     * are each container's pasta, see docs/networking.md). Set once, before any use.
     */
    public Networks rootless(RootlessNetns holder) {
        this.rootless = holder;
        return this;
    }

    private RootlessNetns rootless;

    // ---- networks ----

    /** docker network create [--subnet] [--gateway] [--internal] NAME. */
    public NetworkConfig create(String name, String subnet, String gateway, boolean internal) {
        return create(name, subnet, gateway, null, internal, java.util.Map.of(), java.util.Map.of());
    }

    /**
     * docker network create [--subnet] [--gateway] [--ip-range] [--internal] [--label] [-o] NAME;
     * of the driver options, {@code com.docker.network.bridge.name} names the bridge and
     * {@code com.docker.network.driver.mtu} sets its MTU (the others are kept, as docker shows them).
     */
    public NetworkConfig create(String name, String subnet, String gateway, String ipRange, boolean internal,
                                java.util.Map<String, String> labels, java.util.Map<String, String> options) {
        return create(name, subnet, gateway, ipRange, internal, labels, options, false, null, null);
    }

    /**
     * As above, and docker's {@code --ipv6}: the network is dual stack, with the IPv6 subnet
     * {@code subnet6} (null: a random unique local /64, as docker 27 picks one) and its gateway
     * {@code gateway6} (null: the subnet's first address) on the bridge. The IPv4 subnet is
     * there as well (given or picked). An IPv6 subnet without {@code ipv6} is an error, as in docker.
     */
    public NetworkConfig create(String name, String subnet, String gateway, String ipRange, boolean internal,
                                java.util.Map<String, String> labels, java.util.Map<String, String> options,
                                boolean ipv6, String subnet6, String gateway6) {
        checkName(name);
        if (!ipv6 && (subnet6 != null || gateway6 != null))
            throw new NetworkException.Invalid("IPv6 " + (subnet6 != null ? "subnet " + subnet6 : "gateway " + gateway6)
                    + " on a network without IPv6: add --ipv6 (docker network create --ipv6 --subnet " + (subnet6 != null ? subnet6 : "fd00:1::/64") + " ...)");
        if (gateway6 != null && subnet6 == null) throw new NetworkException.Invalid("an IPv6 --gateway needs an IPv6 --subnet");
        if (subnet != null && Subnet6.isV6(subnet) || gateway != null && Subnet6.isV6(gateway) || ipRange != null && Subnet6.isV6(ipRange))
            throw new NetworkException.Invalid("an IPv6 subnet, gateway or range given as the IPv4 one: " + (subnet != null ? subnet : gateway != null ? gateway : ipRange));
        if (subnet6 != null && !Subnet6.isV6(subnet6) || gateway6 != null && !Subnet6.isV6(gateway6))
            throw new NetworkException.Invalid("not an IPv6 subnet or gateway: " + (subnet6 != null ? subnet6 : gateway6));
        Subnet6 s6 = subnet6 == null ? null : Subnet6.parse(subnet6); // malformed input is an error before the lock
        BigInteger gw6 = null;
        if (gateway6 != null) {
            gw6 = Subnet6.parseAddress(gateway6);
            if (!s6.isHost(gw6)) throw new NetworkException.Invalid("IPv6 gateway " + gateway6 + " is not a host address of " + s6);
        }
        V6 v6 = ipv6 ? new V6(s6, gw6) : null;
        if (name.equals("host") || name.equals("none")) // docker's network modes, which it lists as networks
            throw new NetworkException.Conflict("network with name " + name + " already exists (it is a pre-defined network: the " + name + " network mode)");
        String bridge = options.get("com.docker.network.bridge.name");
        if (bridge != null && !bridge.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}"))
            throw new NetworkException.Invalid("bridge name '" + bridge + "': at most 15 letters, digits, '_', '.' or '-'");
        int bridgeMtu = mtuOf(options);
        return locked(() -> {
            if (Files.exists(configFile(name))) throw new NetworkException.Conflict("network with name " + name + " already exists");
            String br = bridge != null ? bridge : "jc-" + newId().substring(0, 12);
            for (NetworkConfig n : listLocked())
                if (n.bridge().equals(br)) throw new NetworkException.Conflict("bridge " + br + " is already network " + n.name() + "'s");
            return createLocked(name, subnet, gateway, ipRange, internal, br, bridgeMtu, labels, options, v6);
        });
    }

    /** The MTU {@link NetworkConfig#MTU_OPTION} asks for, else {@link NetworkConfig#LARGE_MTU} (see {@link NetworkConfig#defaultRouteMtu}). */
    private static int mtuOf(java.util.Map<String, String> options) {
        String m = options.get(NetworkConfig.MTU_OPTION);
        if (m == null) return DEFAULT_MTU;
        int mtu;
        try {
            mtu = Integer.parseInt(m.strip());
        } catch (NumberFormatException e) {
            mtu = -1;
        }
        if (mtu < 68 || mtu > 65535) throw new NetworkException.Invalid(NetworkConfig.MTU_OPTION + " '" + m + "': a number from 68 to 65535");
        return mtu;
    }

    /** What {@code --ipv6} asked for: a subnet and gateway, each null to be picked. */
    private record V6(Subnet6 subnet, BigInteger gateway) {
    }

    private NetworkConfig createLocked(String name, String subnet, String gateway, String ipRange, boolean internal, String bridge, int mtu,
                                       java.util.Map<String, String> labels, java.util.Map<String, String> options) {
        return createLocked(name, subnet, gateway, ipRange, internal, bridge, mtu, labels, options, null);
    }

    private NetworkConfig createLocked(String name, String subnet, String gateway, String ipRange, boolean internal, String bridge, int mtu,
                                       java.util.Map<String, String> labels, java.util.Map<String, String> options, V6 v6) {
        List<NetworkConfig> existing = listLocked();
        List<Rtnetlink.Route> hostRoutes = hostRoutes(existing);
        Subnet s;
        if (subnet != null) {
            s = Subnet.parse(subnet);
            for (NetworkConfig n : existing)
                if (n.parsedSubnet().overlaps(s))
                    throw new NetworkException.Conflict("subnet " + s + " overlaps network " + n.name() + "'s " + n.subnet());
            for (Rtnetlink.Route r : hostRoutes)
                if (s.overlaps(Subnet.of(r.destination()), r.prefixLength()))
                    throw new NetworkException.Conflict("subnet " + s + " collides with the host's route to "
                            + r.destination().getHostAddress() + "/" + r.prefixLength() + ": choose another --subnet");
        } else {
            if (ipRange != null || gateway != null) throw new NetworkException.Invalid("--ip-range and --gateway need --subnet");
            s = freeSubnet(existing, hostRoutes);
        }
        int gw;
        if (gateway != null) {
            gw = Subnet.parseAddress(gateway);
            if (!s.isHost(gw)) throw new NetworkException.Invalid("gateway " + gateway + " is not a host address of " + s);
        } else {
            gw = s.host(1);
        }
        String range = null;
        if (ipRange != null) {
            Subnet r = Subnet.parse(ipRange);
            if (r.prefixLength() < s.prefixLength() || !s.overlaps(r))
                throw new NetworkException.Invalid("--ip-range " + r + " is not within the subnet " + s);
            range = r.toString();
        }
        String subnet6 = null, gateway6 = null;
        if (v6 != null) {
            Subnet6 s6 = v6.subnet() != null ? v6.subnet() : freeSubnet6(existing);
            for (NetworkConfig o : existing) {
                Subnet6 other = o.parsedSubnet6();
                if (other != null && other.overlaps(s6))
                    throw new NetworkException.Conflict("IPv6 subnet " + s6 + " overlaps network " + o.name() + "'s " + other);
            }
            for (Rtnetlink.Route r : hostRoutes6(existing))
                if (s6.overlaps(Subnet6.of(r.destination()), r.prefixLength()))
                    throw new NetworkException.Conflict("IPv6 subnet " + s6 + " collides with the host's route to "
                            + Subnet6.text(Subnet6.of(r.destination())) + "/" + r.prefixLength() + ": choose another --subnet");
            subnet6 = s6.toString();
            gateway6 = Subnet6.text(v6.gateway() != null ? v6.gateway() : s6.host(1));
        }
        NetworkConfig n = new NetworkConfig(name, newId(), "bridge", bridge, s.toString(), Subnet.text(gw), internal, mtu,
                Instant.now().toString(), range, labels, options, v6 != null, subnet6, gateway6);
        writeJson(configFile(name), n);
        return n;
    }

    /** The first of docker's usual private ranges that neither a network nor a host route uses. */
    private Subnet freeSubnet(List<NetworkConfig> existing, List<Rtnetlink.Route> hostRoutes) {
        List<Subnet> candidates = new ArrayList<>();
        for (int i = 17; i <= 31; i++) candidates.add(new Subnet(Subnet.parseAddress("172." + i + ".0.0"), 16));
        candidates.add(new Subnet(Subnet.parseAddress("10.88.0.0"), 16));
        for (int i = 0; i < 256; i += 16) candidates.add(new Subnet(Subnet.parseAddress("192.168." + i + ".0"), 20));
        next:
        for (Subnet c : candidates) {
            for (NetworkConfig n : existing) if (n.parsedSubnet().overlaps(c)) continue next;
            for (Rtnetlink.Route r : hostRoutes) if (c.overlaps(Subnet.of(r.destination()), r.prefixLength())) continue next;
            return c;
        }
        throw new NetworkException.Conflict("no free subnet left among 172.17-31.0.0/16, 10.88.0.0/16 and 192.168.0-240.0/20: give --subnet");
    }

    /** A random unique local /64 (RFC 4193: fd00::/8 and 40 random bits, subnet 0) no network has. */
    private static Subnet6 freeSubnet6(List<NetworkConfig> existing) {
        var random = new java.security.SecureRandom();
        next:
        for (int tries = 0; tries < 16; tries++) {
            byte[] a = new byte[16];
            a[0] = (byte) 0xfd;
            byte[] global = new byte[5];
            random.nextBytes(global);
            System.arraycopy(global, 0, a, 1, 5);
            Subnet6 c = new Subnet6(new BigInteger(1, a), 64);
            for (NetworkConfig n : existing) if (n.parsedSubnet6() != null && n.parsedSubnet6().overlaps(c)) continue next;
            return c;
        }
        throw new NetworkException.Conflict("no free IPv6 subnet found: give --subnet");
    }

    /** The host's IPv6 routes to subnets, as {@link #hostRoutes} (not link-local ones, which every link has). */
    private List<Rtnetlink.Route> hostRoutes6(List<NetworkConfig> existing) {
        return hostRoutes(existing, d -> d instanceof java.net.Inet6Address a && !a.isLinkLocalAddress() && !a.isMulticastAddress());
    }

    /** The host's IPv4 routes to subnets (not the default route, not jcontainer's own bridges). */
    private List<Rtnetlink.Route> hostRoutes(List<NetworkConfig> existing) {
        return hostRoutes(existing, d -> d instanceof java.net.Inet4Address);
    }

    /** The host's routes to subnets whose destination {@code family} accepts, but not the default route or our bridges'. */
    private List<Rtnetlink.Route> hostRoutes(List<NetworkConfig> existing, java.util.function.Predicate<java.net.InetAddress> family) {
        Set<String> ours = new HashSet<>();
        for (NetworkConfig n : existing) ours.add(n.bridge());
        try (Rtnetlink nl = new Rtnetlink(sys)) {
            Set<Integer> ourIndexes = new HashSet<>();
            for (Rtnetlink.Link l : nl.links()) if (ours.contains(l.name())) ourIndexes.add(l.index());
            List<Rtnetlink.Route> out = new ArrayList<>();
            for (Rtnetlink.Route r : nl.routes())
                if (!r.isDefault() && family.test(r.destination()) && !ourIndexes.contains(r.outputLink())) out.add(r);
            return out;
        }
    }

    public List<NetworkConfig> list() {
        return locked(this::listLocked);
    }

    private List<NetworkConfig> listLocked() {
        List<NetworkConfig> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (var files = Files.newDirectoryStream(root, "*.json")) {
            for (Path f : files) {
                NetworkConfig n = readJson(f, NetworkConfig.class);
                if (n != null) out.add(n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(java.util.Comparator.comparing(NetworkConfig::name));
        return out;
    }

    /** The network, made first if it is the default one. */
    public NetworkConfig inspect(String name) {
        return locked(() -> networkLocked(name));
    }

    private NetworkConfig networkLocked(String name) {
        NetworkConfig n = readJson(configFile(name), NetworkConfig.class);
        if (n != null) return n;
        if (!name.equals(DEFAULT)) throw new NetworkException.NotFound(name);
        java.util.Map<String, String> options = new java.util.HashMap<>(java.util.Map.of("com.docker.network.bridge.name", DEFAULT_BRIDGE,
                "com.docker.network.bridge.default_bridge", "true"));
        Settings.bridgeMtu().ifPresent(m -> options.put(NetworkConfig.MTU_OPTION, m));
        return createLocked(DEFAULT, Settings.bridgeSubnet().orElse(null), null, null, false, DEFAULT_BRIDGE, mtuOf(options),
                java.util.Map.of(), options);
    }

    /** Whether a network exists (the default one always does: it is made on first use). Takes no lock, makes nothing. */
    public boolean exists(String name) {
        return name.equals(DEFAULT) || Files.exists(configFile(name));
    }

    /**
     * The network a reference names, docker's way: a name, a full id, then a unique id prefix.
     * The default network is made on first use.
     */
    public NetworkConfig find(String ref) {
        return locked(() -> {
            if (ref.equals(DEFAULT) || DOCKER_NAME.matcher(ref).matches() && Files.exists(configFile(ref))) return networkLocked(ref);
            List<NetworkConfig> byId = listLocked().stream().filter(n -> n.id().startsWith(ref)).toList();
            if (byId.size() == 1) return byId.getFirst();
            if (byId.size() > 1) throw new NetworkException.Conflict("network " + ref + " is ambiguous (" + byId.size() + " matches found based on ID prefix)");
            throw new NetworkException.NotFound(ref);
        });
    }

    /** A container's endpoints, one per network it is on. */
    public List<Endpoint> endpointsOf(String containerId) {
        if (!Files.isDirectory(root.resolve("endpoints"))) return List.of();
        return locked(() -> endpointsLocked().stream().filter(e -> e.containerId().equals(containerId))
                .sorted(java.util.Comparator.comparing(Endpoint::network)).toList());
    }

    /** The containers on a network. */
    public List<Endpoint> endpoints(String network) {
        return locked(() -> endpointsLocked().stream().filter(e -> e.network().equals(network) && !isPool(e.containerId())).toList());
    }

    /** docker network rm: refused while containers are attached; the bridge and its rules go with it. */
    public void remove(String name) {
        locked(() -> {
            if (name.equals(DEFAULT) || name.equals("host") || name.equals("none"))
                throw new NetworkException.Conflict(name + " is a pre-defined network and cannot be removed");
            NetworkConfig n = readJson(configFile(name), NetworkConfig.class);
            if (n == null) throw new NetworkException.NotFound(name);
            List<String> attached = endpointsLocked().stream().filter(e -> e.network().equals(name) && !isPool(e.containerId()))
                    .map(Endpoint::containerId).toList();
            if (!attached.isEmpty())
                throw new NetworkException.Conflict("network " + name + " has active endpoints (containers " + String.join(", ", attached)
                        + "): stop or disconnect them first");
            dropPoolLocked(name);
            deleteBridge(n.bridge());
            delete(configFile(name));
            applyRules();
            return null;
        });
    }

    /** docker network prune: every network without containers (the default one stays). */
    public List<String> prune() {
        return locked(() -> {
            Set<String> used = new HashSet<>();
            for (Endpoint e : endpointsLocked()) if (!isPool(e.containerId())) used.add(e.network());
            List<String> removed = new ArrayList<>();
            for (NetworkConfig n : listLocked()) {
                if (n.name().equals(DEFAULT) || used.contains(n.name())) continue;
                dropPoolLocked(n.name());
                deleteBridge(n.bridge());
                delete(configFile(n.name()));
                removed.add(n.name());
            }
            applyRules();
            return removed;
        });
    }

    // ---- containers ----

    /**
     * Attaches the running container whose network namespace is {@code netnsFd} (docker network
     * connect): a route socket is opened inside it on a short-lived thread, and the namespace may
     * already have links and a default route.
     */
    @Override
    public Attachment attach(String containerId, int netnsFd, Request req) {
        checkAliases(req);
        Rtnetlink inside;
        try (NetnsThread joined = NetnsThread.join(sys, netnsFd, "jcontainer-netns-" + containerId.substring(0, Math.min(8, containerId.length())))) {
            inside = joined.call(() -> new Rtnetlink(sys));
        }
        try (inside) {
            return attach(containerId, netnsFd, inside, false, req);
        }
    }

    /** A new network namespace on a network, for a container to join: it holds the namespace until then. */
    public record Prepared(NetnsThread.Fresh netns, Attachment attachment) {
    }

    /**
     * A new network namespace attached for a container to be started in it: taken from those
     * made ready ahead ({@link io.jcontainer.linux.Settings#NETWORK_WARM}: namespace, veth on the
     * bridge, address, route, /etc files, IPAM entry), else made now. Either way it has only
     * {@code lo} and {@code eth0}, up and configured, and has never held a process.
     */
    public Prepared attachNew(String containerId, Request req) {
        checkAliases(req);
        try {
            if (poolable(req))
                for (Ready r; (r = takeReady(req.network())) != null; ) {
                    Attachment a;
                    try {
                        a = claim(r, containerId, req);
                    } catch (RuntimeException e) {
                        discard(r);
                        throw e;
                    }
                    if (a != null) return new Prepared(r.ns(), a);
                    discard(r); // its entry was removed meanwhile (network rm, a sweep): the next one, or a new one
                }
            NetnsThread.Fresh ns = NetnsThread.createFresh(sys);
            try {
                return new Prepared(ns, attach(containerId, ns.netnsFd(), ns.rtnetlink(), true, req));
            } catch (RuntimeException e) {
                ns.close();
                throw e;
            }
        } finally {
            if (poolSize > 0) fillSoon(req.network());
        }
    }

    /**
     * Host side through this JVM's warm route socket, container side through {@code inside} (a
     * socket opened in its namespace): the veth is made up, on its bridge and with its peer in
     * the container, in one request; the container's address, {@code lo} and default route in
     * another. No thread hop, no link dump.
     */
    private Attachment attach(String containerId, int netnsFd, Rtnetlink inside, boolean fresh, Request req) {
        return locked(() -> attachLocked(containerId, netnsFd, inside, fresh, req));
    }

    private Attachment attachLocked(String containerId, int netnsFd, Rtnetlink inside, boolean fresh, Request req) {
        {
            NetworkConfig n = networkLocked(req.network());
            Bridge bridge = ensureBridge(n);
            List<Endpoint> all = endpointsLocked();
            for (Endpoint e : all)
                if (e.containerId().equals(containerId) && e.network().equals(n.name()))
                    throw new NetworkException.Conflict("container " + containerId + " is already connected to network " + n.name());
            List<PortMapping> ports = resolvePorts(n, req.ports(), all);
            int ip = allocate(n, all, req.ip());
            Subnet6 s6 = n.parsedSubnet6();
            if (s6 == null && req.ip6() != null)
                throw new NetworkException.Invalid("--ip6 " + req.ip6() + " on network " + n.name() + ", which has no IPv6 (network create --ipv6)");
            BigInteger ip6 = s6 == null ? null : allocate6(n, s6, all, req.ip6());
            // a fresh name each time: the veth of this container's last run may still be on its way out
            String hostVeth = "jcv" + newId().substring(0, 12);
            String mac = req.mac() != null ? req.mac() : macOf(ip);
            Endpoint ep = new Endpoint(containerId, n.name(), Subnet.text(ip), hostVeth, req.hostname(), req.aliases(), ports,
                    ProcessHandle.current().pid(), ProcStat.startTime(ProcessHandle.current().pid()), mac, ip6 == null ? null : Subnet6.text(ip6));
            writeJson(endpointFile(containerId, n.name()), ep); // first: a crash from here on is swept
            boolean ok = false;
            try {
                String ifname = fresh ? "eth0" : freeEthName(inside);
                byte[] macBytes = HexFormat.ofDelimiter(":").parseHex(mac);
                hostRtnetlink().createVethOnBridge(hostVeth, ifname, n.mtu(), netnsFd, macBytes, bridge.index());
                // an internal network has no way out: no default route (and the forward chain drops)
                boolean route = !n.internal() && (fresh || !hasDefaultRoute(inside));
                int index = inside.getLink(ifname).index();
                if (s6 == null) {
                    inside.configureEndpoint(ifname, index, null,
                            Subnet.inet(ip), n.parsedSubnet().prefixLength(), route ? Subnet.inet(n.gatewayAddress()) : null, null, 0, null, n.defaultRouteMtu());
                } else {
                    disableDad(netnsFd, ifname);
                    boolean route6 = !n.internal() && (fresh || !hasDefaultRoute6(inside));
                    inside.configureEndpoint(ifname, index, null,
                            Subnet.inet(ip), n.parsedSubnet().prefixLength(), route ? Subnet.inet(n.gatewayAddress()) : null,
                            Subnet6.inet(ip6), s6.prefixLength(), route6 ? Subnet6.inet(Subnet6.parseAddress(n.gateway6())) : null, n.defaultRouteMtu());
                }
                applyRules(NftRuleset.elements(true, ep, Set.of()), bridge.created());
                Attachment a = writeEtc(ep, n, req, all);
                if (!isPool(containerId)) rewritePeersHosts(n, containerId); // a ready entry is no one's peer
                ok = true;
                return a;
            } finally {
                if (!ok) removeEndpointLocked(ep);
            }
        }
    }

    /**
     * An ordinary user's container on one of its networks, before it starts: its address, IPAM
     * entry and /etc files (the container's mounts bind them), and the user namespace of the
     * rootless holder (started if need be) that the container joins. {@code userns} is the
     * caller's to close. The link itself is made by {@link #wireRootless} once the container's
     * network namespace exists.
     */
    public record RootlessReservation(Attachment attachment, NetworkConfig network, int userns) {
    }

    public RootlessReservation reserveRootless(String containerId, Request req) {
        if (rootless == null) throw new IllegalStateException("not an ordinary user's networks");
        checkAliases(req);
        if (!req.ports().isEmpty()) throw new IllegalArgumentException("ports on a rootless network are pasta's");
        return locked(() -> {
            NetworkConfig n = networkLocked(req.network());
            List<Endpoint> all = endpointsLocked();
            for (Endpoint e : all)
                if (e.containerId().equals(containerId) && e.network().equals(n.name()))
                    throw new NetworkException.Conflict("container " + containerId + " is already connected to network " + n.name());
            int ip = allocate(n, all, req.ip());
            Subnet6 s6 = n.parsedSubnet6();
            if (s6 == null && req.ip6() != null)
                throw new NetworkException.Invalid("--ip6 " + req.ip6() + " on network " + n.name() + ", which has no IPv6 (network create --ipv6)");
            BigInteger ip6 = s6 == null ? null : allocate6(n, s6, all, req.ip6());
            String mac = req.mac() != null ? req.mac() : macOf(ip);
            Endpoint ep = new Endpoint(containerId, n.name(), Subnet.text(ip), "jcv" + newId().substring(0, 12), req.hostname(), req.aliases(),
                    List.of(), ProcessHandle.current().pid(), ProcStat.startTime(ProcessHandle.current().pid()), mac, ip6 == null ? null : Subnet6.text(ip6));
            writeJson(endpointFile(containerId, n.name()), ep); // first: a crash from here on is swept (and the holder with it)
            boolean ok = false;
            try {
                rootless.ensure();
                int userns = rootless.userNamespace();
                try {
                    Attachment a = writeEtc(ep, n, req, all);
                    rewritePeersHosts(n, containerId);
                    ok = true;
                    return new RootlessReservation(a, n, userns);
                } finally {
                    if (!ok) sys.closeQuietly(userns);
                }
            } finally {
                if (!ok) {
                    delete(endpointFile(containerId, n.name()));
                    quitRootlessIfUnusedLocked();
                }
            }
        });
    }

    /**
     * Connects the reserved container, whose network namespace is {@code netnsFd} (owned by the
     * holder's user namespace), to its network's bridge in the holder's namespace: the veth made
     * there with its peer moved into the container as {@code eth0}, then {@code eth0}'s address
     * set and brought up through a route socket the holder opened inside. No default route: the
     * way out is the container's pasta, whose interface comes next (none on an internal network).
     */
    public void wireRootless(RootlessReservation r, int netnsFd) {
        Endpoint ep = r.attachment().endpoint();
        locked(() -> {
            if (!Files.exists(endpointFile(ep.containerId(), ep.network())))
                throw new NetworkException.NotFound(ep.network() + " (the endpoint of container " + ep.containerId() + " was removed meanwhile)");
            NetworkConfig n = networkLocked(ep.network());
            Bridge bridge = ensureBridge(n);
            hostRtnetlink().createVethOnBridge(ep.hostVeth(), "eth0", n.mtu(), netnsFd,
                    HexFormat.ofDelimiter(":").parseHex(ep.mac()), bridge.index());
            try (Rtnetlink inside = rootless.routeSocketIn(netnsFd)) {
                int ip = Subnet.parseAddress(ep.ip());
                Subnet6 s6 = n.parsedSubnet6();
                // no default routes: the way out (IPv4 and IPv6) is the container's pasta; IPv6 addresses without DAD
                inside.configureEndpoint("eth0", inside.getLink("eth0").index(), null, Subnet.inet(ip), n.parsedSubnet().prefixLength(), null,
                        ep.ip6() == null || s6 == null ? null : Subnet6.inet(Subnet6.parseAddress(ep.ip6())), s6 == null ? 0 : s6.prefixLength(), null);
            }
            return null;
        });
    }

    /** The first ethN the namespace does not have yet (a container joining a second network). */
    private static String freeEthName(Rtnetlink inside) {
        Set<String> names = new HashSet<>();
        for (Rtnetlink.Link l : inside.links()) names.add(l.name());
        int i = 0;
        while (names.contains("eth" + i)) i++;
        return "eth" + i;
    }

    /** Docker's MAC for an address: 02:42 (locally administered, unicast) and the address's four bytes. */
    public static String macOf(int ip) {
        return String.format("02:42:%02x:%02x:%02x:%02x", ip >>> 24 & 255, ip >>> 16 & 255, ip >>> 8 & 255, ip & 255);
    }

    private static boolean hasDefaultRoute(Rtnetlink nl) {
        return nl.routes().stream().anyMatch(r -> r.isDefault() && r.gateway() instanceof java.net.Inet4Address);
    }

    private static boolean hasDefaultRoute6(Rtnetlink nl) {
        return nl.routes().stream().anyMatch(r -> r.isDefault() && r.gateway() instanceof java.net.Inet6Address);
    }

    /**
     * The container now runs as {@code pid}: its endpoints become stale when that process is
     * gone (not when the starting JVM is).
     */
    public void adopt(String containerId, long pid) {
        locked(() -> {
            long start = ProcStat.startTime(pid);
            for (Endpoint e : endpointsLocked(containerId)) writeJson(endpointFile(containerId, e.network()), e.ownedBy(pid, start));
            return null;
        });
    }

    /**
     * As {@link #adopt(String, long)} for the one endpoint a start made ({@code ep}, as it was
     * written): nothing is read back, only its file rewritten (if still there) under the new owner.
     */
    public void adopt(Endpoint ep, long pid) {
        long start = ProcStat.startTime(pid);
        locked(() -> {
            Path f = endpointFile(ep.containerId(), ep.network());
            if (Files.exists(f)) writeJson(f, ep.ownedBy(pid, start));
            return null;
        });
    }

    /**
     * The container {@code containerId}, whose first process {@code pid} has exited, leaves its
     * networks: its address and published ports are free when this returns (a next start may
     * take them). Its published ports' map elements are deleted here; the rest follows on the
     * reaper thread, as after any exit: the veth goes with the namespace (checked later), peers'
     * hosts files and its own /etc files after that. This run's
     * endpoints are the one its start made ({@code hostVeth}: veth names are never reused; a
     * container that dies with this JVM is not {@link #adopt adopted}, so its owner is this JVM)
     * and those it was connected to since (owned by {@code pid}); a later run's are left alone.
     * If the container still runs (a close that could not wait for the exit), it is
     * {@link #detach}'s work.
     */
    public void releaseExited(String containerId, long pid, String hostVeth) {
        if (!Files.isDirectory(root.resolve("endpoints"))) return;
        if (ProcStat.alive(pid, -1)) {
            detach(containerId);
            return;
        }
        Set<String> names = new HashSet<>();
        boolean[] alive = {false};
        locked(() -> {
            List<Endpoint> mine = new ArrayList<>();
            for (Endpoint e : endpointsLocked(containerId)) {
                if (e.ownerPid() != pid && !e.hostVeth().equals(hostVeth)) continue; // not this run's
                if (e.ownerPid() != pid && e.ownerPid() != ProcessHandle.current().pid() && ProcStat.alive(e.ownerPid(), e.ownerStartTime())) {
                    alive[0] = true; // adopted by a process that still runs: not an exited container's
                    continue;
                }
                mine.add(e);
            }
            // Its published ports go now, in one small transaction (a fraction of a ms on the kept
            // socket), while its endpoint files still name them: a crash in between leaves a stale
            // endpoint, which the sweep removes with its ports. If the map is not what the state
            // says, the table is rendered again once the files are gone.
            List<NftRuleset.Element> unpublish = new ArrayList<>();
            for (Endpoint e : mine) unpublish.addAll(NftRuleset.elements(false, e, Set.of()));
            boolean unpublished = unpublish.isEmpty() || changeElementsIfTrusted(unpublish);
            for (Endpoint e : mine) {
                delete(endpointFile(e.containerId(), e.network()));
                reapLater(e.hostVeth());
                if (!e.network().equals(DEFAULT)) names.add(e.network());
            }
            if (!unpublished) applyRules(unpublish, false);
            if (!names.isEmpty()) quitRootlessIfUnusedLocked();
            return null;
        });
        if (alive[0]) {
            detach(containerId);
            return;
        }
        if (!names.isEmpty())
            reaperUnlocked().submit(() -> {
                try {
                    lockedIfPresent(() -> {
                        for (String network : names) {
                            NetworkConfig n = readJson(configFile(network), NetworkConfig.class);
                            if (n != null) rewritePeersHosts(n, containerId);
                        }
                    });
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(Networks.class).warn("jcontainer: rewriting the hosts files of {}'s peers failed", containerId, e);
                }
            });
        forgetEtcSoon(containerId);
    }

    @Override
    public void detach(String containerId) {
        Pasta.stop(sys, root, containerId); // an ordinary user's container: its pasta or slirp4netns, if any, and nothing else
        Slirp4netns.stop(sys, root, containerId);
        if (!Files.isDirectory(root.resolve("endpoints"))) return;
        locked(() -> {
            boolean any = false;
            for (Endpoint e : endpointsLocked(containerId)) {
                removeEndpointLocked(e);
                any = true;
            }
            // its /etc files go a moment later, off the caller's path (the sweep takes them if this JVM does not live to)
            if (any) forgetEtcSoon(containerId);
            if (any) quitRootlessIfUnusedLocked();
            return null;
        });
    }

    /** docker network disconnect: the container's interface on that network goes, with its address and rules. */
    public void disconnect(String containerId, String network) {
        locked(() -> {
            Endpoint e = readJson(endpointFile(containerId, network), Endpoint.class);
            if (e == null) throw new NetworkException.NotFound(network + " (container " + containerId + " is not connected to it)");
            removeEndpointLocked(e);
            quitRootlessIfUnusedLocked();
            return null;
        });
    }

    /** docker network connect: a running container (its first process {@code pid}) joins another network. */
    public Attachment connect(String containerId, long pid, Request req) {
        int fd = sys.open("/proc/" + pid + "/ns/net", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
        try {
            Attachment a = attach(containerId, fd, req);
            adopt(containerId, pid);
            return a;
        } finally {
            sys.closeQuietly(fd);
        }
    }

    /**
     * Removes the endpoints whose owner is gone (a JVM killed while starting a container, a
     * container that ended without being removed), with their veths and rules. Returns how many.
     */
    public int sweep() {
        if (!Files.isDirectory(root.resolve("endpoints"))) return 0;
        return locked(() -> {
            int n = 0;
            Set<String> gone = new HashSet<>();
            for (Endpoint e : endpointsLocked())
                if (!ProcStat.alive(e.ownerPid(), e.ownerStartTime())) {
                    removeEndpointLocked(e);
                    gone.add(e.containerId());
                    n++;
                }
            for (String id : gone) if (endpointsLocked(id).isEmpty()) deleteTree(etcDir(id));
            // an ordinary user's container's pasta (its way out) outlives a killed JVM: it ends with the endpoint
            if (rootless != null) for (String id : gone) Pasta.stop(sys, root, id);
            removeOrphanEtc();
            quitRootlessIfUnusedLocked(); // also a holder left by a JVM killed before any endpoint was written
            return n;
        });
    }

    private void removeEndpointLocked(Endpoint e) {
        checkNamespace();
        boolean exited = e.ownerPid() != ProcessHandle.current().pid() && !ProcStat.alive(e.ownerPid(), e.ownerStartTime());
        if (exited) {
            // The container is gone: when the last process of its namespace ends, the kernel
            // deletes the pair itself. Deleting it here would only wait (RTM_DELLINK sits out an
            // RCU grace period, ~20 ms) for what happens anyway; a late check catches a namespace
            // that something else still holds.
            reapLater(e.hostVeth());
        } else {
            try {
                hostRtnetlink().deleteLink(e.hostVeth()); // its peer goes with it
            } catch (NetlinkException.NotFound gone) {
                // the container's namespace ended and took the pair with it
            }
        }
        if (exited && !e.ports().isEmpty()) {
            // Its published ports go a moment later, off the caller's path (an nftables commit
            // right after a namespace died waits for the kernel's clean-up of it): the endpoint is
            // kept under released/ until then, so whoever next changes the rules deletes them if
            // this JVM does not live to.
            writeJson(releasedDir().resolve(e.containerId() + "." + e.network() + ".json"), e);
            delete(endpointFile(e.containerId(), e.network()));
            releaseSoon();
        } else {
            delete(endpointFile(e.containerId(), e.network()));
            List<NftRuleset.Element> delta = NftRuleset.elements(false, e, Set.of());
            if (!delta.isEmpty()) applyRules(delta, false); // no port published: the table has nothing of it
        }
        NetworkConfig n = readJson(configFile(e.network()), NetworkConfig.class);
        if (n != null) rewritePeersHosts(n, e.containerId());
    }

    private Path releasedDir() {
        return root.resolve("endpoints").resolve("released");
    }

    /**
     * {@code delta} preceded by the deletions of released endpoints' published ports, and the
     * released files to remove once it is applied. A released port that a current endpoint has
     * taken since is deleted only if that endpoint's element is what {@code delta} adds now (the
     * old one goes first, in the same transaction); if the new owner's element is already in the
     * kernel, deleting it would unpublish the new owner. No element is deleted twice.
     */
    private List<NftRuleset.Element> withReleasedPorts(List<NftRuleset.Element> delta, List<Path> files) {
        Path dir = releasedDir();
        if (!Files.isDirectory(dir)) return delta;
        List<NftRuleset.Element> out = new ArrayList<>();
        Set<String> deleted = new HashSet<>();
        try (var ls = Files.newDirectoryStream(dir, "*.json")) {
            Set<String> inKernel = null;
            for (Path f : ls) {
                Endpoint e = readJson(f, Endpoint.class);
                files.add(f);
                if (e == null) continue;
                if (inKernel == null) {
                    Set<String> adding = new HashSet<>();
                    for (NftRuleset.Element d : delta) if (d.add()) adding.add(d.id());
                    inKernel = new HashSet<>();
                    for (Endpoint live : endpointsLocked())
                        for (NftRuleset.Element x : NftRuleset.elements(true, live, Set.of()))
                            if (!adding.contains(x.id())) inKernel.add(x.id());
                }
                for (NftRuleset.Element x : NftRuleset.elements(false, e, Set.of()))
                    if (!inKernel.contains(x.id()) && deleted.add(x.id())) out.add(x);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (out.isEmpty()) return delta;
        for (NftRuleset.Element d : delta) if (d.add() || deleted.add(d.id())) out.add(d);
        return out;
    }

    private static final long REAP_DELAY_MILLIS = 2000;
    private NetnsThread reaper; // guarded by JVM_LOCK
    private java.util.concurrent.ScheduledExecutorService reapTimer; // guarded by JVM_LOCK

    /**
     * A thread of its own in the networks' namespace (the caller's, checked by
     * {@link #checkNamespace()}) for the work a container's exit leaves: published ports to
     * delete, veths to check on.
     */
    private NetnsThread reaper() {
        JVM_LOCK.lock();
        try {
            return reaperLocked();
        } finally {
            JVM_LOCK.unlock();
        }
    }

    private NetnsThread reaperLocked() {
        if (reaper == null) {
            int self = sys.open("/proc/thread-self/ns/net", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
            try {
                reaper = rootless != null ? NetnsThread.here(sys, "jcontainer-net-reaper") : NetnsThread.join(sys, self, "jcontainer-net-reaper");
            } finally {
                sys.closeQuietly(self);
            }
            // a short-lived JVM (the CLI) leaves no port published behind it: what was queued is done before exit
            NetnsThread r = reaper;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    r.call(() -> null);
                } catch (RuntimeException ignored) {
                    // exiting anyway; the next change applies what is left under released/
                }
            }, "jcontainer-net-reaper-drain"));
        }
        return reaper;
    }

    private NetnsThread reaperUnlocked() {
        JVM_LOCK.lock();
        try {
            return reaper();
        } finally {
            JVM_LOCK.unlock();
        }
    }

    /**
     * Removes the /etc files of {@code containerId} on the reaper thread, soon, unless it is on a
     * network again by then (a restart).
     */
    private void forgetEtcSoon(String containerId) {
        reaper().submit(() -> {
            try {
                // the state may be gone by now (a test's or benchmark's directory removed after close): nothing is made again
                if (!Files.isDirectory(etcDir(containerId))) return;
                lockedIfPresent(() -> {
                    if (endpointsLocked(containerId).isEmpty()) deleteTree(etcDir(containerId));
                });
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Networks.class).warn("jcontainer: removing the /etc files of {} failed (the sweep retries)", containerId, e);
            }
        });
    }

    /** The /etc files of containers on no network (left by a JVM that ended before removing them); how many. */
    private int removeOrphanEtc() {
        Path dir = root.resolve("etc");
        if (!Files.isDirectory(dir)) return 0;
        Set<String> attached = new HashSet<>();
        for (Endpoint e : endpointsLocked()) attached.add(e.containerId());
        int n = 0;
        try (var ls = Files.newDirectoryStream(dir)) {
            for (Path d : ls)
                if (!attached.contains(d.getFileName().toString())) {
                    deleteTree(d);
                    n++;
                }
        } catch (IOException e) {
            throw new NetworkException("listing " + dir + ": " + e.getMessage(), e);
        }
        return n;
    }

    /** Applies the released endpoints' port deletions on the reaper thread, soon. */
    private void releaseSoon() {
        reaper().submit(() -> {
            try {
                lockedIfPresent(() -> applyRules(List.of(), false));
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Networks.class).warn("jcontainer: unpublishing the ports of a container that exited failed (the next change retries)", e);
            }
        });
    }

    /**
     * Deletes the host veth {@code name} a little later, if the kernel has not done so already
     * (it has, unless something still holds the container's namespace). Veth names are never
     * reused, so a late delete cannot hit a newer link.
     */
    private void reapLater(String name) {
        if (rootless != null) return; // the veth went with the container's namespace, or goes with the holder's
        NetnsThread r = reaper();
        if (reapTimer == null) reapTimer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(t -> {
            Thread th = new Thread(t, "jcontainer-net-reap-timer"); // only hands work to the reaper: its namespace does not matter
            th.setDaemon(true);
            return th;
        });
        reapTimer.schedule(() -> r.submit(() -> {
            try (Rtnetlink nl = new Rtnetlink(sys)) {
                nl.deleteLink(name);
            } catch (NetlinkException.NotFound goneAlready) {
                // the usual case: the namespace died and took the pair with it
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Networks.class).warn("jcontainer: deleting the veth {} of a container that exited failed", name, e);
            }
        }), REAP_DELAY_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    // ---- endpoints made ready ahead ----

    /**
     * Container ids of endpoints made ready ahead start with this (never a container's: those are
     * 64 hex digits). Such an endpoint is owned by the JVM that made it, so a crash leaves nothing
     * the sweep does not take; it is no container's peer, and no one's in {@link #endpoints}.
     */
    static final String POOL = "pool-";

    static boolean isPool(String containerId) {
        return containerId.startsWith(POOL);
    }

    /**
     * An endpoint made ready for one start on {@code network}: a new namespace that has never held
     * a process, with {@code lo} and {@code eth0} up, its address, MAC and default route; the
     * veth's host end up on the bridge; its IPAM entry and /etc files under the id {@code poolId}.
     * Claimed by one container and never given back (a namespace a container has used keeps
     * what it did there: sockets, neighbours, sysctls, its own rules — none of it may reach the
     * next one). If this JVM ends first, the namespace ends with its descriptor and the kernel
     * deletes the pair; the files are removed at exit, or swept.
     */
    private record Ready(String network, String poolId, NetnsThread.Fresh ns, Endpoint endpoint, NetworkConfig config) {
    }

    private final int poolSize = io.jcontainer.linux.Settings.networkWarm();
    private final java.util.Map<String, java.util.ArrayDeque<Ready>> ready = new java.util.HashMap<>(); // guarded by itself
    private final Set<String> filling = new HashSet<>(); // guarded by ready
    private boolean poolExitHook; // guarded by ready

    /** What the lock is held for while an endpoint is made ready: the network, its bridge's index, the IPAM entry. */
    private record Reserved(NetworkConfig config, int bridgeIndex, Endpoint endpoint) {
    }

    private Rtnetlink poolNl; // the reaper thread's own, in the networks' namespace

    /**
     * One ready endpoint on {@code network}, on the reaper thread. Only its address is taken under
     * the lock (with the bridge made if need be): the namespace, veth, address and /etc files
     * are made after, so a start never waits for the lock while the kernel makes them. Until
     * then its entry names no veth that exists, which a removal of the network or a sweep may
     * delete; a claim finds that out. Null when the networks' directory is gone.
     */
    private Ready makeReady(String network) {
        String id = POOL + newId().substring(0, 24), hostVeth = "jcv" + newId().substring(0, 12);
        Reserved r = lockedIfPresentGet(() -> {
            NetworkConfig n = networkLocked(network);
            Bridge bridge = ensureBridge(n);
            if (bridge.created()) applyRules(List.of(), true);
            List<Endpoint> all = endpointsLocked();
            int ip = allocate(n, all, null);
            Subnet6 s6 = n.parsedSubnet6();
            BigInteger ip6 = s6 == null ? null : allocate6(n, s6, all, null);
            Endpoint ep = new Endpoint(id, n.name(), Subnet.text(ip), hostVeth, id.substring(0, 12), List.of(), List.of(),
                    ProcessHandle.current().pid(), ProcStat.startTime(ProcessHandle.current().pid()), macOf(ip), ip6 == null ? null : Subnet6.text(ip6));
            writeJson(endpointFile(id, n.name()), ep);
            return new Reserved(n, bridge.index(), ep);
        });
        if (r == null) return null;
        NetworkConfig n = r.config();
        Endpoint ep = r.endpoint();
        NetnsThread.Fresh ns = null;
        try {
            ns = NetnsThread.createFresh(sys);
            if (poolNl == null) poolNl = new Rtnetlink(sys);
            poolNl.createVethOnBridge(hostVeth, "eth0", n.mtu(), ns.netnsFd(), HexFormat.ofDelimiter(":").parseHex(ep.mac()), r.bridgeIndex());
            Rtnetlink inside = ns.rtnetlink();
            int index = inside.getLink("eth0").index();
            int ip = Subnet.parseAddress(ep.ip());
            InetAddressPair gw = new InetAddressPair(n.internal() ? null : Subnet.inet(n.gatewayAddress()),
                    n.internal() || ep.ip6() == null ? null : Subnet6.inet(Subnet6.parseAddress(n.gateway6())));
            if (ep.ip6() == null) {
                inside.configureEndpoint("eth0", index, null, Subnet.inet(ip), n.parsedSubnet().prefixLength(), gw.v4(), null, 0, null, n.defaultRouteMtu());
            } else {
                disableDad(ns.netnsFd(), "eth0");
                inside.configureEndpoint("eth0", index, null, Subnet.inet(ip), n.parsedSubnet().prefixLength(), gw.v4(),
                        Subnet6.inet(Subnet6.parseAddress(ep.ip6())), n.parsedSubnet6().prefixLength(), gw.v6(), n.defaultRouteMtu());
            }
            writeEtc(ep, n, Request.of(network), List.of());
            return new Ready(network, id, ns, ep, n);
        } catch (RuntimeException e) {
            if (ns != null) ns.close();
            lockedIfPresent(() -> {
                removeEndpointLocked(ep);
                deleteTree(etcDir(id));
            });
            throw e;
        }
    }

    private record InetAddressPair(java.net.InetAddress v4, java.net.InetAddress v6) {
    }

    /** A fixed address or MAC is the container's own: such a start makes its endpoint itself. */
    private static boolean poolable(Request req) {
        return req.ip() == null && req.ip6() == null && req.mac() == null;
    }

    private Ready takeReady(String network) {
        if (poolSize == 0) return null;
        synchronized (ready) {
            java.util.ArrayDeque<Ready> q = ready.get(network);
            return q == null ? null : q.poll();
        }
    }

    /**
     * The ready endpoint {@code r} becomes {@code containerId}'s: its IPAM entry is re-keyed and
     * named, its /etc files renamed and its hosts file written; published ports are checked and
     * added as on any start. Null when its entry is gone (its network was removed, or a sweep
     * took it): the caller discards it.
     */
    private Attachment claim(Ready r, String containerId, Request req) {
        return locked(() -> {
            Path pooled = endpointFile(r.poolId(), r.network());
            if (!Files.exists(pooled)) return null;
            NetworkConfig n = r.config();
            boolean names = !n.name().equals(DEFAULT);
            List<Endpoint> all = !req.ports().isEmpty() || names ? endpointsLocked() : List.of();
            for (Endpoint e : all)
                if (e.containerId().equals(containerId) && e.network().equals(n.name()))
                    throw new NetworkException.Conflict("container " + containerId + " is already connected to network " + n.name());
            List<PortMapping> ports = resolvePorts(n, req.ports(), all);
            Endpoint p = r.endpoint();
            Endpoint ep = new Endpoint(containerId, n.name(), p.ip(), p.hostVeth(), req.hostname(), req.aliases(), ports,
                    p.ownerPid(), p.ownerStartTime(), p.mac(), p.ip6());
            writeJson(endpointFile(containerId, n.name()), ep);
            delete(pooled);
            boolean ok = false;
            try {
                if (!ports.isEmpty()) applyRules(NftRuleset.elements(true, ep, Set.of()), false);
                Path dir = etcDir(containerId), made = etcDir(r.poolId());
                if (!Files.exists(dir)) Files.move(made, dir); // one rename: resolv.conf is already there
                else deleteTree(made); // a container started again: its files are rewritten in place
                if (!req.dns().isEmpty() || !req.dnsSearch().isEmpty() || !req.dnsOptions().isEmpty()) Files.deleteIfExists(dir.resolve("resolv.conf"));
                Attachment a = writeEtc(ep, n, req, all);
                if (names) rewritePeersHosts(n, containerId);
                ok = true;
                return a;
            } catch (IOException e) {
                throw new NetworkException("moving the /etc files made ahead to " + etcDir(containerId) + ": " + e.getMessage(), e);
            } finally {
                if (!ok) removeEndpointLocked(ep);
            }
        });
    }

    /** A ready endpoint that will not be used: its namespace is closed, and its entry removed if still there. */
    private void discard(Ready r) {
        r.ns().close();
        lockedIfPresent(() -> discardLocked(r));
    }

    /** Its files only: the kernel deletes the pair when the namespace, closed by the caller, ends. */
    private void discardLocked(Ready r) {
        delete(endpointFile(r.poolId(), r.network()));
        deleteTree(etcDir(r.poolId()));
    }

    /**
     * Closes the endpoints made ready for {@code network}, or for every network (null), once
     * those being made now are done (until a next start asks for more).
     */
    public void dropWarm(String network) {
        NetnsThread r;
        JVM_LOCK.lock();
        try {
            r = reaper;
        } finally {
            JVM_LOCK.unlock();
        }
        if (r != null) r.call(() -> null); // fills run there, one at a time
        for (Ready ready : drain(network)) discard(ready);
    }

    private List<Ready> drain(String network) {
        List<Ready> drop = new ArrayList<>();
        synchronized (ready) {
            for (var q : ready.entrySet())
                if (network == null || q.getKey().equals(network)) {
                    drop.addAll(q.getValue());
                    q.getValue().clear();
                }
        }
        return drop;
    }

    /**
     * Under the lock, before {@code network} goes: every ready endpoint on it, this JVM's and
     * other JVMs' (whose claim then finds its entry gone), with their veths.
     */
    private void dropPoolLocked(String network) {
        for (Ready r : drain(network)) {
            r.ns().close();
            discardLocked(r);
        }
        for (Endpoint e : endpointsLocked())
            if (isPool(e.containerId()) && e.network().equals(network)) {
                removeEndpointLocked(e);
                deleteTree(etcDir(e.containerId()));
            }
    }

    /**
     * Makes endpoints ready for {@code network} on the reaper thread (in the networks'
     * namespace, off the caller's path) until {@link io.jcontainer.linux.Settings#NETWORK_WARM}
     * of them wait. Each is made as a start makes one, under the lock, but only while the
     * networks' directory exists (a state directory removed at the end of a test or benchmark is
     * not made again).
     */
    private void fillSoon(String network) {
        synchronized (ready) {
            if (!filling.add(network)) return;
            if (!poolExitHook) { // this JVM's ready entries are no one's once it ends: their files go with it
                poolExitHook = true;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    List<Ready> left = drain(null);
                    if (!left.isEmpty()) lockedIfPresent(() -> left.forEach(this::discardLocked));
                }, "jcontainer-net-pool-exit"));
            }
        }
        NetnsThread r;
        JVM_LOCK.lock();
        try {
            r = reaper();
        } finally {
            JVM_LOCK.unlock();
        }
        r.submit(() -> {
            try {
                for (;;) {
                    synchronized (ready) {
                        if (ready.computeIfAbsent(network, k -> new java.util.ArrayDeque<>()).size() >= poolSize) return;
                    }
                    if (!Files.exists(root.resolve(".lock")) || !exists(network)) return;
                    Ready made = makeReady(network);
                    if (made == null) return;
                    synchronized (ready) {
                        ready.get(network).add(made);
                    }
                }
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Networks.class).debug("jcontainer: making an endpoint ready ahead on {} failed (starts make their own)", network, e);
            } finally {
                synchronized (ready) {
                    filling.remove(network);
                }
            }
        });
    }

    // ---- IPAM and ports ----

    private static int allocate(NetworkConfig n, List<Endpoint> all, String requested) {
        Subnet s = n.parsedSubnet();
        Set<Integer> used = new HashSet<>();
        used.add(n.gatewayAddress());
        for (Endpoint e : all) if (e.network().equals(n.name())) used.add(Subnet.parseAddress(e.ip()));
        if (requested != null) {
            int ip = Subnet.parseAddress(requested);
            if (!s.isHost(ip)) throw new NetworkException.Invalid("address " + requested + " is not a host address of " + n.name() + "'s " + s);
            if (used.contains(ip)) throw new NetworkException.Conflict("address " + requested + " is already in use on network " + n.name());
            return ip;
        }
        Subnet range = n.ipRange() == null ? null : Subnet.parse(n.ipRange());
        for (long i = 1; i < s.size() - 1; i++) {
            int ip = s.host(i);
            if (range != null && !range.contains(ip)) continue;
            if (!used.contains(ip)) return ip;
        }
        throw new NetworkException.Conflict("network " + n.name() + " (" + s + ") has no free address left");
    }

    /** The next free IPv6 address after the gateway, or {@code requested} (docker's --ip6) if it is free. */
    private static BigInteger allocate6(NetworkConfig n, Subnet6 s, List<Endpoint> all, String requested) {
        Set<BigInteger> used = new HashSet<>();
        used.add(Subnet6.parseAddress(n.gateway6()));
        for (Endpoint e : all) if (e.network().equals(n.name()) && e.ip6() != null) used.add(Subnet6.parseAddress(e.ip6()));
        if (requested != null) {
            BigInteger ip = Subnet6.parseAddress(requested);
            if (!s.isHost(ip)) throw new NetworkException.Invalid("address " + requested + " is not a host address of " + n.name() + "'s " + s);
            if (used.contains(ip)) throw new NetworkException.Conflict("address " + requested + " is already in use on network " + n.name());
            return ip;
        }
        for (long i = 1; i < s.size(); i++) {
            BigInteger ip = s.host(i);
            if (!used.contains(ip)) return ip;
        }
        throw new NetworkException.Conflict("network " + n.name() + " (" + s + ") has no free IPv6 address left");
    }

    /**
     * Host ports: a port taken by another container's mapping, or bound on the host, is an
     * error now, before anything starts; port 0 gets a free one from the ephemeral range.
     */
    private List<PortMapping> resolvePorts(NetworkConfig n, List<PortMapping> requested, List<Endpoint> all) {
        for (PortMapping p : requested)
            if (p.hostIp6() && !p.userland() && n.parsedSubnet6() == null)
                throw new NetworkException.Invalid("-p " + p + ": an IPv6 host address needs the container on a network with IPv6"
                        + " (network " + n.name() + " has none: network create --ipv6)");
        for (PortMapping p : requested)
            if (p.userland() && !p.protocol().equals("tcp"))
                throw new NetworkException.Invalid("-p " + p + ": the kernel does not forward traffic from the IPv6 loopback address to"
                        + " another interface (IPv6 has no route_localnet), and jcontainer's userland proxy serves TCP only: publish on"
                        + " 127.0.0.1, on an IPv6 address of the host or the network's gateway, or on every address");
        Set<String> taken = new HashSet<>();
        for (Endpoint e : all) for (PortMapping p : e.ports()) taken.add(p.protocol() + "/" + p.hostPort());
        List<PortMapping> out = new ArrayList<>();
        for (PortMapping p : requested) {
            int port = p.hostPort();
            if (port == 0) {
                for (port = 32768; port < 61000; port++)
                    if (!taken.contains(p.protocol() + "/" + port) && free(p, port)) break;
                if (port == 61000) throw new NetworkException.Conflict("no free host port for " + p);
            } else {
                if (taken.contains(p.protocol() + "/" + port))
                    throw new NetworkException.Conflict("Bind for " + (p.hostIp() == null ? "0.0.0.0" : p.hostIp()) + ":" + port
                            + " failed: port is already allocated (published by another container)");
                if (!free(p, port))
                    throw new NetworkException.Conflict("Bind for " + (p.hostIp() == null ? "0.0.0.0" : p.hostIp()) + ":" + port
                            + "/" + p.protocol() + " failed: port is already in use on the host");
            }
            taken.add(p.protocol() + "/" + port);
            out.add(new PortMapping(p.hostIp(), port, p.containerPort(), p.protocol()));
        }
        return out;
    }

    private boolean free(PortMapping p, int port) {
        byte[] ip = p.hostIp6() ? Subnet6.inet(Subnet6.parseAddress(p.hostIp())).getAddress()
                : Subnet.inet(p.hostIp() == null ? 0 : Subnet.parseAddress(p.hostIp())).getAddress();
        try {
            sys.probeBind(ip, port, p.protocol().equals("udp"));
            return true;
        } catch (SyscallException e) {
            if (e.errno() == 98 /* EADDRINUSE */) return false;
            throw e;
        }
    }

    // ---- kernel objects ----

    /** A network's bridge as a start needs it: its index (a veth's master) and whether it was just made or brought up. */
    private record Bridge(int index, boolean created) {
    }

    /**
     * Makes the network's bridge if need be, and brings it up. The usual case (it is there and
     * up) is one get-link round trip on the warm socket.
     */
    private Bridge ensureBridge(NetworkConfig n) {
        checkNamespace();
        Rtnetlink nl = hostRtnetlink();
        try {
            Rtnetlink.Link l = nl.getLink(n.bridge());
            if (l.up()) return new Bridge(l.index(), false);
        } catch (NetlinkException.NotFound absent) {
            nl.createBridge(n.bridge(), n.mtu());
            Subnet s = n.parsedSubnet();
            nl.addAddress(n.bridge(), Subnet.inet(n.gatewayAddress()), s.prefixLength());
            Subnet6 s6 = n.parsedSubnet6();
            if (s6 != null) nl.addAddress(n.bridge(), Subnet6.inet(Subnet6.parseAddress(n.gateway6())), s6.prefixLength()); // nodad
        }
        nl.setUp(n.bridge(), true);
        if (rootless != null) return new Bridge(nl.getLink(n.bridge()).index(), true); // not routed: bridged only
        // published ports reached through the host's loopback are routed out of the bridge
        sysctl("net/ipv4/conf/" + n.bridge() + "/route_localnet", "1");
        if (!n.internal()) sysctl("net/ipv4/ip_forward", "1");
        return new Bridge(nl.getLink(n.bridge()).index(), true);
    }

    private Rtnetlink hostNl; // guarded by the lock; opened in hostNlNamespace
    private String hostNlNamespace;

    /**
     * A route socket in the networks' namespace, kept open between starts (opening one costs a
     * socket, a bind and a port id per start). Called under the lock after {@link #checkNamespace()};
     * reopened when the calling thread is in another namespace than the one it was opened in.
     */
    private Rtnetlink hostRtnetlink() {
        if (rootless != null) {
            // one per locked section (closed at its end): a holder that ended meanwhile is never talked to
            if (hostNl == null) hostNl = rootless.routeSocket();
            return hostNl;
        }
        String here = new Proc(sys).link("/proc/thread-self/ns/net");
        if (hostNl == null || here == null || !here.equals(hostNlNamespace)) {
            if (hostNl != null) hostNl.close();
            hostNl = null;
            hostNl = new Rtnetlink(sys);
            hostNlNamespace = here;
        }
        return hostNl;
    }

    private void sysctl(String key, String value) {
        String p = "/proc/sys/" + key, now = new Proc(sys).read(p);
        if (now != null && now.strip().equals(value)) return;
        int fd = -1;
        try {
            fd = sys.open(p, Syscalls.O_WRONLY | Syscalls.O_CLOEXEC, 0);
            byte[] b = value.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            sys.write(fd, b, 0, b.length);
        } catch (io.jcontainer.linux.sys.SyscallException e) {
            throw new NetworkException("writing " + p + ": " + e.getMessage(), e);
        } finally {
            sys.closeQuietly(fd);
        }
    }

    /**
     * No duplicate address detection on the container's interface {@code ifname} (still down), so
     * its link-local address is not "tentative" for a second or two after it comes up either (the
     * network's address is added with nodad). Inside the container's namespace only: /proc/sys/net
     * is the opener's namespace, so it is written from a thread joined to it. IPv6 networks only.
     */
    private void disableDad(int netnsFd, String ifname) {
        try (NetnsThread t = NetnsThread.join(sys, netnsFd, "jcontainer-netns-dad")) {
            t.run(() -> sysctl("net/ipv6/conf/" + ifname + "/accept_dad", "0"));
        }
    }

    private void deleteBridge(String bridge) {
        if (rootless != null && !rootless.running()) return; // it went with the holder's namespace
        checkNamespace();
        try {
            hostRtnetlink().deleteLink(bridge);
        } catch (NetlinkException.NotFound gone) {
            // never made (no container ever ran there) or already gone
        }
    }

    /**
     * The bridges, veths and rules of these networks live in one network namespace, recorded
     * in {@code <root>/.netns} (with the boot id): a process in another one (a clean-up run
     * outside a test's private namespace, a CLI under {@code ip netns exec}) would otherwise
     * delete links by name and install jcontainer's table where they are not. It is refused
     * while a container of the recorded namespace lives; otherwise the namespace is taken over.
     */
    private void checkNamespace() {
        if (rootless != null) return; // the holder's namespace: the same for every process of the user
        Path f = root.resolve(".netns");
        try {
            String here = kernelStamp();
            String there = Files.exists(f) ? Files.readString(f).strip() : "";
            if (there.equals(here)) return;
            String boot = here.substring(0, here.indexOf(' '));
            if (there.startsWith(boot + " ") && endpointsLocked().stream()
                    .anyMatch(e -> e.ownerPid() != ProcessHandle.current().pid() && ProcStat.alive(e.ownerPid(), e.ownerStartTime())))
                throw new NetworkException("the networks in " + root + " are wired in network namespace " + there.substring(boot.length() + 1)
                        + " where containers still run; this process is in " + here.substring(boot.length() + 1)
                        + ": their bridges, veths and rules are not here (run it in that namespace)");
            Files.writeString(f, here + "\n");
        } catch (IOException e) {
            throw new NetworkException("recording the network namespace in " + f + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@link #applyRules}'s fast path alone: {@code delta} applied as element changes if the
     * chains were last applied here (this boot and namespace). False when they were not, or the
     * kernel refused the delta (its maps are not what the state says): the caller changes the
     * state and then calls {@link #applyRules}.
     */
    private boolean changeElementsIfTrusted(List<NftRuleset.Element> delta) {
        if (rootless != null) return true; // no table: pasta publishes
        checkNamespace();
        Path last = root.resolve(".rules");
        try {
            String stamp = kernelStamp() + "\n";
            String recorded = Files.exists(last) ? Files.readString(last) : "";
            if (stamp.contains("null") || !recorded.startsWith(stamp)) return false;
            if (recorded.equals(stamp + NftRuleset.base(List.of()))) return true; // no table: no port is published
            nft.changeElements(delta);
            return true;
        } catch (NetworkException stale) {
            return false;
        } catch (IOException e) {
            throw new NetworkException("reading the record of the applied rules " + last + ": " + e.getMessage(), e);
        }
    }

    /** Makes jcontainer's table what the state says (no networks in use: no table). */
    private void applyRules() {
        applyRules(List.of(), true);
    }

    /**
     * Makes jcontainer's table what the state says. {@code delta} is the element change that
     * takes the kernel there from the last state applied (a container's published ports added or
     * deleted). When no bridge came or went ({@code bridgesChanged} false) and the chains were
     * last applied here, in this boot and namespace (recorded in {@code .rules}), the delta alone
     * is sent — no link dump, no rendering. Otherwise, or when the delta fails, the chains are
     * compared with the record and the whole table is sent if they differ.
     */
    private void applyRules(List<NftRuleset.Element> delta, boolean bridgesChanged) {
        if (rootless != null) return; // no table: pasta publishes, and networks are not routed to each other
        checkNamespace();
        Path last = root.resolve(".rules");
        List<Path> released = new ArrayList<>();
        delta = withReleasedPorts(delta, released);
        try {
            String stamp = kernelStamp() + "\n";
            String recorded = Files.exists(last) ? Files.readString(last) : "";
            boolean trusted = !stamp.contains("null") && recorded.startsWith(stamp);
            if (trusted && !bridgesChanged) {
                if (delta.isEmpty()) return;
                if (recorded.equals(stamp + NftRuleset.base(List.of()))) { // no table: no port is published
                    for (Path f : released) Files.deleteIfExists(f);
                    return;
                }
                try {
                    nft.changeElements(delta);
                    for (Path f : released) Files.deleteIfExists(f); // their ports are gone from the kernel
                    return;
                } catch (NetworkException stale) {
                    // the kernel's maps are not what the state says (an element missing or doubled): render it all
                }
            }
            // only networks whose bridge exists get rules: a network never used has nothing in the kernel
            List<NetworkConfig> live = new ArrayList<>();
            Set<String> links = new HashSet<>();
            for (Rtnetlink.Link l : hostRtnetlink().links()) links.add(l.name());
            for (NetworkConfig n : listLocked()) if (links.contains(n.bridge())) live.add(n);
            String base = NftRuleset.base(live);
            if (trusted && recorded.equals(stamp + base) && delta.isEmpty()) return;
            Files.deleteIfExists(last); // if applying fails half way, the next change applies in full
            nft.run(NftRuleset.render(live, endpointsLocked()));
            Files.writeString(last, stamp + base);
            for (Path f : released) Files.deleteIfExists(f); // the table was rendered without them
        } catch (IOException e) {
            throw new NetworkException("recording the applied rules in " + last + ": " + e.getMessage(), e);
        }
    }

    /** This boot and this network namespace; "null" in it when unreadable (then the rules are always applied). */
    private String kernelStamp() {
        Proc proc = new Proc(sys);
        String boot = bootId;
        if (boot == null) { // the same for as long as this process lives
            boot = proc.read("/proc/sys/kernel/random/boot_id");
            if (boot != null) bootId = boot = boot.strip();
        }
        return boot + " " + proc.link("/proc/thread-self/ns/net");
    }

    private volatile String bootId;

    /** What the kernel has in jcontainer's table now ({@code nft list table ip jcontainer}; empty when there is none). */
    public String kernelRules() {
        return locked(() -> {
            String all = nft.run("list tables ip");
            return all.contains("table ip " + NftRuleset.TABLE) ? nft.run("list table ip " + NftRuleset.TABLE) : "";
        });
    }

    /** What the kernel has in jcontainer's IPv6 table now (empty when there is none: no network with IPv6 in use). */
    public String kernelRules6() {
        return locked(() -> {
            String all = nft.run("list tables ip6");
            return all.contains("table ip6 " + NftRuleset.TABLE) ? nft.run("list table ip6 " + NftRuleset.TABLE) : "";
        });
    }

    // ---- /etc files ----

    /** {@code others}: the endpoints before {@code ep} was added (read once by the attach). */
    private Attachment writeEtc(Endpoint ep, NetworkConfig n, Request req, List<Endpoint> others) {
        Path dir = etcDir(ep.containerId());
        List<Endpoint> peers = new ArrayList<>();
        for (Endpoint e : others) if (e.network().equals(n.name()) && !isPool(e.containerId()) && !e.containerId().equals(ep.containerId())) peers.add(e);
        peers.add(ep);
        try {
            Files.createDirectories(dir);
            Path hosts = dir.resolve("hosts"), resolv = dir.resolve("resolv.conf");
            writeInPlace(hosts, EtcFiles.hosts(ep, peers, !n.name().equals(DEFAULT), req.addHosts()));
            if (!Files.exists(resolv)) writeInPlace(resolv, EtcFiles.resolvConf(hostResolvConf, req.dns(), req.dnsSearch(), req.dnsOptions()));
            return new Attachment(ep, hosts, resolv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Other containers on {@code n} learn of {@code changed} (or forget it): their hosts files are rewritten in place. */
    private void rewritePeersHosts(NetworkConfig n, String changed) {
        if (n.name().equals(DEFAULT)) return;
        List<Endpoint> peers = endpointsLocked().stream().filter(e -> e.network().equals(n.name()) && !isPool(e.containerId())).toList();
        for (Endpoint p : peers) {
            if (p.containerId().equals(changed)) continue;
            Path hosts = etcDir(p.containerId()).resolve("hosts");
            if (!Files.exists(hosts)) continue;
            try {
                // keep the --add-host lines (after the generated part) by regenerating only what we own
                String old = Files.readString(hosts);
                int extra = old.indexOf("# --add-host\n");
                String tail = extra < 0 ? "" : old.substring(extra);
                writeInPlace(hosts, EtcFiles.hosts(p, peers, true, List.of()) + tail);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Overwrite the same file, then cut it to length: the container sees it through a bind mount
     * of this inode, which a rename would replace behind its back; and a reader in the container
     * (peers' files are rewritten while they run) never finds it empty, as it could between a
     * truncate and the write.
     */
    private static void writeInPlace(Path p, String content) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
            while (buf.hasRemaining()) ch.write(buf, buf.position());
            ch.truncate(b.length);
        }
    }

    // ---- storage ----

    private Path configFile(String name) {
        return root.resolve(name + ".json");
    }

    private Path endpointFile(String containerId, String network) {
        return root.resolve("endpoints").resolve(containerId + "." + network + ".json");
    }

    /** Where a container's /etc/hosts and resolv.conf are kept while it is on a network. */
    public Path etcDir(String containerId) {
        return root.resolve("etc").resolve(containerId);
    }

    /** One container's endpoints: only its own files are read (their names start with its id). */
    private List<Endpoint> endpointsLocked(String containerId) {
        List<Endpoint> out = new ArrayList<>();
        Path dir = root.resolve("endpoints");
        if (!Files.isDirectory(dir)) return out;
        try (var files = Files.newDirectoryStream(dir, f -> {
            String name = f.getFileName().toString();
            return name.startsWith(containerId + ".") && name.endsWith(".json");
        })) {
            for (Path f : files) {
                Endpoint e = readJson(f, Endpoint.class);
                if (e != null && e.containerId().equals(containerId)) out.add(e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private List<Endpoint> endpointsLocked() {
        List<Endpoint> out = new ArrayList<>();
        Path dir = root.resolve("endpoints");
        if (!Files.isDirectory(dir)) return out;
        try (var files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                Endpoint e = readJson(f, Endpoint.class);
                if (e != null) out.add(e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The rootless holder's route socket of the locked section that ends (it keeps the holder's namespace alive while open). */
    private void closeRootlessSocket() {
        if (rootless != null && hostNl != null) {
            hostNl.close();
            hostNl = null;
        }
    }

    /** An ordinary user's holder ends with the last endpoint: nothing of the user's networks stays in the kernel. */
    private void quitRootlessIfUnusedLocked() {
        if (rootless == null || !endpointsLocked().isEmpty()) return;
        closeRootlessSocket();
        rootless.quit();
    }

    private <T> T locked(Supplier<T> body) {
        JVM_LOCK.lock();
        try {
            Files.createDirectories(root);
            try (FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                try {
                    return body.get();
                } finally {
                    closeRootlessSocket();
                }
            }
        } catch (IOException e) {
            throw new NetworkException("locking " + root.resolve(".lock") + ": " + e.getMessage(), e);
        } finally {
            JVM_LOCK.unlock();
        }
    }

    /** As {@link #locked}, but only while the root and its lock file exist (neither is made); null when they do not. */
    private <T> T lockedIfPresentGet(Supplier<T> body) {
        JVM_LOCK.lock();
        try (FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            try {
                return body.get();
            } finally {
                closeRootlessSocket();
            }
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException e) {
            throw new NetworkException("locking " + root.resolve(".lock") + ": " + e.getMessage(), e);
        } finally {
            JVM_LOCK.unlock();
        }
    }

    /** As {@link #locked}, but only while the root and its lock file exist (neither is made): for work left after a release. */
    private void lockedIfPresent(Runnable body) {
        JVM_LOCK.lock();
        try (FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            try {
                body.run();
            } finally {
                closeRootlessSocket();
            }
        } catch (NoSuchFileException gone) {
            // removed with its state directory: nothing left to do
        } catch (IOException e) {
            throw new NetworkException("locking " + root.resolve(".lock") + ": " + e.getMessage(), e);
        } finally {
            JVM_LOCK.unlock();
        }
    }

    private static <T> T readJson(Path f, Class<T> type) {
        try {
            return Json.JSON.readValue(Files.readAllBytes(f), type);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new NetworkException("reading " + f + ": " + e.getMessage(), e);
        }
    }

    private static void writeJson(Path f, Object value) {
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.write(tmp, Json.JSON.writeValueAsBytes(value));
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new NetworkException("writing " + f + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new NetworkException("removing " + f + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new NetworkException("removing " + dir + ": " + e.getMessage(), e);
        }
    }

    static void checkName(String name) {
        if (name == null || !DOCKER_NAME.matcher(name).matches())
            throw new NetworkException.Invalid("invalid network name '" + name
                    + "': letters, digits, '_', '.' and '-', starting with a letter or digit, at most 128 characters");
    }

    private static void checkAliases(Request req) {
        for (String a : req.aliases())
            if (!DOCKER_NAME.matcher(a).matches())
                throw new NetworkException.Invalid("invalid network alias '" + a + "': letters, digits, '_', '.' and '-', starting with a letter or digit");
        if (req.hostname() != null && !DNS_LABEL.matcher(req.hostname().toLowerCase(java.util.Locale.ROOT)).matches())
            throw new NetworkException.Invalid("invalid container name '" + req.hostname() + "' on a network: it must be a DNS label");
    }

    private static String newId() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
