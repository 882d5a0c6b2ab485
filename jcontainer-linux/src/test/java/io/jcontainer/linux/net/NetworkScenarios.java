package io.jcontainer.linux.net;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Mount;
import io.jcontainer.Stdio;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.TestRootfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The network scenarios, run by {@link BridgeNetworkTest} in a JVM of their own started under
 * {@code unshare --net}: every bridge, veth, address and nftables rule they make lives in that
 * private network namespace and dies with it, and all traffic goes to loopback or to
 * containers started here (rule 9). {@code NetworkScenarios SCENARIO WORKDIR}; exit 0 = passed.
 */
public final class NetworkScenarios {
    static final NativeSyscalls SYS = NativeSyscalls.INSTANCE;
    private final Path work;
    private final LinuxContainerRuntime rt;
    private final List<Container> started = new ArrayList<>();

    private NetworkScenarios(Path work) {
        this.work = work;
        this.rt = new LinuxContainerRuntime(SYS, null, null, new ContainerStore(work.resolve("containers")));
    }

    public static void main(String[] args) throws Exception {
        refuseHostNamespace();
        try (var nl = new Rtnetlink(SYS)) {
            nl.setUp("lo", true);
        }
        var s = new NetworkScenarios(Path.of(args[1]));
        try {
            switch (args[0]) {
                case "ports" -> s.ports();
                case "names" -> s.names();
                case "internal" -> s.internal();
                case "ipv6" -> s.ipv6();
                case "churn" -> s.churn(Integer.parseInt(args[2]));
                case "ready" -> s.ready();
                case "republish" -> s.republish();
                case "sigkill-child" -> s.sigkillChild();
                case "sigkill" -> s.sigkill();
                case "cost" -> s.cost(Integer.parseInt(args[2]));
                case "mtu" -> s.mtu();
                default -> throw new IllegalArgumentException(args[0]);
            }
        } finally {
            s.closeAll();
        }
        System.out.println("PASSED " + args[0]);
        System.exit(0);
    }

    /**
     * Rule 9: never run in the namespace of the JVM that started us (the machine's own, or the
     * one the test suite runs in): {@code -Djcontainer.test.outerNetns} names it.
     */
    static void refuseHostNamespace() throws IOException {
        String outer = System.getProperty("jcontainer.test.outerNetns");
        String mine = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        if (outer == null || outer.equals(mine))
            throw new IllegalStateException("refusing to run network scenarios in " + mine + ", the starting JVM's network namespace: run under unshare --net");
    }

    // ---- scenarios ----

    /** -p 8080:80 serves busybox httpd through the host's loopback, the bridge's address and the container's own; a bound port is refused first. */
    void ports() throws Exception {
        Container web = httpd("web", NetworkAttachment.Request.of(Networks.DEFAULT), List.of("8080:80", "127.0.0.1:8090:80", "127.0.0.1::80"));
        Endpoint ep = endpoint(web.id());
        check(ep.ports().size() == 3 && ep.ports().get(2).hostPort() >= 32768, "an ephemeral port for 127.0.0.1::80: " + ep.ports());
        String gw = rt.networks().inspect(Networks.DEFAULT).gateway();
        expectServed("127.0.0.1", 8080, "web");
        expectServed("127.0.0.1", 8090, "web");
        expectServed("127.0.0.1", ep.ports().get(2).hostPort(), "web");
        expectServed(gw, 8080, "web");
        expectServed(ep.ip(), 80, "web");
        String rules = rt.networks().kernelRules();
        check(rules.contains("tcp . 8080 : " + ep.ip() + " . 80"), "a DNAT map element to the container: " + rules);
        check(rules.contains("masquerade"), "masquerade for the subnet: " + rules);
        // a port already bound on the host is refused before anything starts
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("0.0.0.0", 8081));
            try {
                httpd("web2", NetworkAttachment.Request.of(Networks.DEFAULT), List.of("8081:80"));
                throw new AssertionError("a bound port was accepted");
            } catch (NetworkException.Conflict expected) {
                check(expected.getMessage().contains("8081") && expected.getMessage().contains("in use"), expected.getMessage());
            }
        }
        // ... and so is one another container publishes
        try {
            httpd("web3", NetworkAttachment.Request.of(Networks.DEFAULT), List.of("8080:80"));
            throw new AssertionError("a port published twice was accepted");
        } catch (NetworkException.Conflict expected) {
            check(expected.getMessage().contains("already allocated"), expected.getMessage());
        }
        check(rt.networks().endpoints(Networks.DEFAULT).size() == 1, "the refused starts left no endpoint");
        closeAll();
        expectClean();
    }

    /** Two containers on a user network reach each other by address and by name; one on another network cannot. */
    void names() throws Exception {
        rt.networks().create("front", "10.91.0.0/24", null, false);
        rt.networks().create("back", null, null, false);
        Container a = httpd("alpha", NetworkAttachment.Request.of("front"), List.of());
        Container b = httpd("beta", new NetworkAttachment.Request("front", null, List.of("api"), List.of(), null, List.of(), List.of()), List.of());
        Container other = httpd("gamma", NetworkAttachment.Request.of("back"), List.of());
        Endpoint ea = endpoint(a.id()), eb = endpoint(b.id());
        check(ea.ip().startsWith("10.91.0.") && eb.ip().startsWith("10.91.0."), "addresses from the subnet: " + ea.ip() + " " + eb.ip());
        check(!ea.ip().equals(eb.ip()), "distinct addresses");
        // by address, both ways
        String ab = fetchFrom("front", "http://" + eb.ip() + ":80/");
        check(ab.contains("beta"), "alpha's network reaches beta by address: " + ab + "\n" + run("front", "/bin/ip", "addr") + run("front", "/bin/ip", "route"));
        check(fetchFrom("front", "http://" + ea.ip() + ":80/").contains("alpha"), "and alpha");
        // names: /etc/hosts of each lists the other (rewritten in place when beta came)
        String hostsA = run("front", "cat", "/etc/hosts"), hostsB = execCat(b, "/etc/hosts");
        check(hostsA.contains(eb.ip() + "\t") && hostsA.contains(" api") && hostsA.contains("beta"), "a client's hosts file: " + hostsA);
        check(hostsB.contains(ea.ip() + "\t") && hostsB.contains("alpha"), "beta's hosts file: " + hostsB);
        // by name and alias through the C library's resolver: busybox's static glibc cannot use
        // NSS, so the client is a dynamically linked getent (with its libc) in a root of its own
        Path resolverRoot = resolverRoot();
        for (String name : List.of("beta", "api")) {
            String out = runIn(resolverRoot, "front", "/bin/sh", "-c",
                    "ip=$(/bin/getent hosts " + name + " | awk '{print $1}'); echo resolved=$ip; timeout 3 wget -q -O - http://$ip:80/");
            check(out.contains("resolved=" + eb.ip()) && out.contains("hello from beta"), "fetch by name " + name + ": " + out);
        }
        // isolation: back cannot reach front
        String blocked = fetchFromQuiet("back", "http://" + ea.ip() + ":80/");
        check(!blocked.contains("alpha"), "a container on another network reached alpha: " + blocked);
        check(fetchFrom("back", "http://" + endpoint(other.id()).ip() + ":80/").contains("gamma"), "but its own network works");
        // docker network connect: gamma (on back) gets an interface on front too, then loses it
        rt.networks().connect(other.id(), other.pid(), NetworkAttachment.Request.of("front"));
        String connected = execOut(other, "timeout 3 wget -q -O - http://" + ea.ip() + ":80/; ip -o addr show eth1");
        check(connected.contains("hello from alpha") && connected.contains("10.91.0."), "connected to front: " + connected);
        rt.networks().disconnect(other.id(), "front");
        String disconnected = execOut(other, "timeout 3 wget -q -O - http://" + ea.ip() + ":80/; ip -o link show");
        check(!disconnected.contains("hello from alpha") && !disconnected.contains("eth1"), "disconnected from front: " + disconnected);
        // a network with containers cannot be removed; an unknown one is named
        try {
            rt.networks().remove("front");
            throw new AssertionError("removed a network in use");
        } catch (NetworkException.Conflict expected) {
            check(expected.getMessage().contains(a.id()), expected.getMessage());
        }
        try {
            rt.start(spec("x", "true"), NetworkAttachment.Request.of("nowhere"));
            throw new AssertionError("started on an unknown network");
        } catch (NetworkException.NotFound expected) {
            check(expected.getMessage().contains("nowhere"), expected.getMessage());
        }
        closeAll();
        rt.networks().remove("front");
        check(rt.networks().prune().contains("back"), "prune removes the unused network");
        expectClean();
    }

    /**
     * docker network create --ipv6: the bridge has the IPv6 subnet's first address, containers
     * the next free ones (or --ip6's), a default route through it and each other's IPv6 address
     * in /etc/hosts; they reach each other over IPv6 at once (no duplicate address detection
     * to wait for). Bad IPv6 input is refused before anything is made.
     */
    void ipv6() throws Exception {
        NetworkConfig six = rt.networks().create("six", "10.92.0.0/24", null, null, false, java.util.Map.of(), java.util.Map.of(),
                true, "fd00:1::/64", null);
        check(six.enableIpv6() && six.subnet6().equals("fd00:1::/64") && six.gateway6().equals("fd00:1::1"), "the network: " + six);
        Container a = httpd("alpha6", NetworkAttachment.Request.of("six"), List.of());
        Container b = httpd("beta6", new NetworkAttachment.Request("six", null, List.of("api6"), List.of(), null, List.of(), List.of(),
                null, List.of(), List.of(), "fd00:1::99"), List.of());
        Endpoint ea = endpoint(a.id()), eb = endpoint(b.id());
        check("fd00:1::2".equals(ea.ip6()) && "fd00:1::99".equals(eb.ip6()), "IPv6 addresses: " + ea.ip6() + " " + eb.ip6());
        check(ea.ip().startsWith("10.92.0."), "and IPv4 ones (dual stack): " + ea.ip());
        // from a third container, over IPv6, by address: at once (the first try must not hit a tentative address)
        String first = fetchFromQuiet("six", "http://[" + eb.ip6() + "]:80/");
        check(first.contains("hello from beta6"), "fetch over IPv6 on the first try: " + first + run("six", "/bin/ip", "-6", "addr"));
        check(fetchFrom("six", "http://[" + ea.ip6() + "]:80/").contains("hello from alpha6"), "and alpha6");
        String ping = run("six", "/bin/sh", "-c", "ping6 -c 1 -W 3 " + ea.ip6() + "; echo rc=$?");
        check(ping.contains("rc=0"), "ping6: " + ping);
        // the bridge answers on its address, and is the default route
        String routes = run("six", "/bin/sh", "-c", "ip -6 route; ip -6 addr show eth0; ping6 -c 1 -W 3 fd00:1::1; echo rc=$?");
        check(routes.contains("default via fd00:1::1") && routes.contains("inet6 fd00:1::") && routes.contains("rc=0"), "IPv6 routes: " + routes);
        // names: /etc/hosts of each carries the other's IPv6 address
        String hostsA = execCat(a, "/etc/hosts");
        check(hostsA.contains("fd00:1::99	") && hostsA.contains("fd00:1::2	"), "alpha6's hosts file: " + hostsA);
        // the container's own view
        String own = execOut(b, "ip -6 addr show eth0; ip -6 route");
        check(own.contains("fd00:1::99/64") && !own.contains("tentative") && own.contains("default via fd00:1::1"), "beta6's interface: " + own);
        // another IPv6 network cannot reach this one, even where the host forwards IPv6 (turned on
        // here, in the scenario's own namespace: jcontainer itself never turns it on)
        rt.networks().create("other6", "10.93.0.0/24", null, null, false, java.util.Map.of(), java.util.Map.of(), true, "fd00:3::/64", null);
        Files.writeString(Path.of("/proc/sys/net/ipv6/conf/all/forwarding"), "1");
        String gwReached = run("other6", "/bin/sh", "-c", "ping6 -c 1 -W 3 fd00:1::1; echo rc=$?");
        check(gwReached.contains("rc=0"), "the host's address on six is reachable from other6 (routed): " + gwReached);
        String blocked = fetchFromQuiet("other6", "http://[" + ea.ip6() + "]:80/");
        check(!blocked.contains("hello"), "another network reached alpha6 over IPv6: " + blocked);
        // a port published on every address reaches a dual-stack container over IPv6 too (the host's address on the bridge)
        Container web6 = httpd("web6", NetworkAttachment.Request.of("six"), List.of("8086:80"));
        Endpoint ew = endpoint(web6.id());
        check(rt.networks().kernelRules6().contains("tcp . 8086 : " + ew.ip6() + " . 80"), "an IPv6 DNAT element: " + rt.networks().kernelRules6());
        expectServed("fd00:1::1", 8086, "web6");
        expectServed("127.0.0.1", 8086, "web6"); // and over IPv4, as before
        // outbound NAT66: an "outside" of this scenario's own (a namespace behind a veth, fd99::/64)
        // sees the host's address, not the container's
        check(rt.networks().kernelRules6().contains("ip6 saddr fd00:1::/64 oifname != \"" + six.bridge() + "\" masquerade"), "masquerade: " + rt.networks().kernelRules6());
        try (NetnsThread outside = NetnsThread.createNew(SYS, "outside6")) {
            try (var nl = new Rtnetlink(SYS)) {
                nl.createVeth("out6", "out6p", 1500, outside.netnsFd());
                nl.addAddress("out6", java.net.InetAddress.getByName("fd99::1"), 64);
                nl.setUp("out6", true);
            }
            ServerSocket far = outside.call(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.setUp("lo", true);
                    nl.addAddress("out6p", java.net.InetAddress.getByName("fd99::2"), 64);
                    nl.setUp("out6p", true);
                }
                ServerSocket ss = new ServerSocket();
                ss.bind(new InetSocketAddress(java.net.InetAddress.getByName("fd99::2"), 9099)); // a socket stays in its namespace
                return ss;
            });
            try (far) {
                var peer = new java.util.concurrent.CompletableFuture<String>();
                Thread.ofPlatform().daemon().start(() -> {
                    while (!far.isClosed()) {
                        try (Socket s = far.accept()) {
                            peer.complete(s.getInetAddress().getHostAddress());
                            s.getOutputStream().write("HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\nhello far".getBytes(StandardCharsets.US_ASCII));
                        } catch (IOException e) {
                            // closed at the end
                        }
                    }
                });
                String got = fetchFrom("six", "http://[fd99::2]:9099/");
                String from = peer.get(10, java.util.concurrent.TimeUnit.SECONDS);
                check(got.contains("hello far"), "the container reached the outside over IPv6: " + got);
                check(java.net.InetAddress.getByName(from).equals(java.net.InetAddress.getByName("fd99::1")),
                        "masqueraded to the host's address (NAT66), not the container's: " + from);
            }
        } finally {
            try (var nl = new Rtnetlink(SYS)) {
                nl.deleteLink("out6");
            } catch (NetlinkException.NotFound gone) {
                // went with the outside namespace
            }
        }
        web6.close();
        started.remove(web6);
        // bad input
        expectInvalid(() -> rt.networks().create("nov6", null, null, null, false, java.util.Map.of(), java.util.Map.of(), false, "fd00:2::/64", null),
                "--ipv6");
        expectInvalid(() -> rt.networks().create("bad6", null, null, null, false, java.util.Map.of(), java.util.Map.of(), true, "fd00:zz::/64", null),
                "fd00:zz::");
        expectInvalid(() -> rt.networks().create("bits6", null, null, null, false, java.util.Map.of(), java.util.Map.of(), true, "fd00:1::5/64", null),
                "host bits");
        try {
            rt.networks().create("over6", null, null, null, false, java.util.Map.of(), java.util.Map.of(), true, "fd00:1::/48", null);
            throw new AssertionError("an overlapping IPv6 subnet was accepted");
        } catch (NetworkException.Conflict expected) {
            check(expected.getMessage().contains("overlaps network six"), expected.getMessage());
        }
        try {
            httpd("gamma6", new NetworkAttachment.Request("six", null, List.of(), List.of(), null, List.of(), List.of(),
                    null, List.of(), List.of(), "fd00:1::99"), List.of());
            throw new AssertionError("an IPv6 address in use was accepted");
        } catch (NetworkException.Conflict expected) {
            check(expected.getMessage().contains("fd00:1::99"), expected.getMessage());
        }
        rt.networks().create("four", "10.94.0.0/24", null, false);
        try {
            httpd("delta4", new NetworkAttachment.Request("four", null, List.of(), List.of(), null, List.of(), List.of(),
                    null, List.of(), List.of(), "fd00:1::77"), List.of());
            throw new AssertionError("--ip6 on a network without IPv6 was accepted");
        } catch (NetworkException.Invalid expected) {
            check(expected.getMessage().contains("no IPv6"), expected.getMessage());
        }
        rt.networks().remove("four");
        // --ipv6 alone: a unique local /64 of its own
        NetworkConfig picked = rt.networks().create("auto6", null, null, null, false, java.util.Map.of(), java.util.Map.of(), true, null, null);
        check(picked.subnet6().startsWith("fd") && picked.subnet6().endsWith("::/64"), "a picked IPv6 subnet: " + picked.subnet6());
        closeAll();
        rt.networks().remove("six");
        rt.networks().remove("auto6");
        rt.networks().remove("other6");
        expectClean();
    }

    private static void expectInvalid(Runnable r, String mentioned) {
        try {
            r.run();
            throw new AssertionError("accepted, expected an error mentioning " + mentioned);
        } catch (NetworkException.Invalid expected) {
            check(expected.getMessage().contains(mentioned), expected.getMessage());
        }
    }

    /**
     * A network made without an MTU has 65520 on its links and 1500 on its containers' default
     * routes: a megabyte goes both ways between the host and a container (through a published
     * port too), and a container uploads a megabyte to a server behind a 1500-MTU link of the
     * scenario's own where path MTU discovery is black-holed (the host's "fragmentation needed"
     * is dropped), which works only if the container never sends more than 1500 that way. A
     * network given {@code com.docker.network.driver.mtu} is docker's: that MTU everywhere, no route MTU.
     */
    void mtu() throws Exception {
        Path www = work.resolve("www-big");
        Files.createDirectories(www);
        byte[] big = new byte[1 << 20];
        new java.util.Random(13).nextBytes(big);
        Files.write(www.resolve("big"), big);
        Container web = rt.start(Container.builder().rootfs(TestRootfs.busybox()).name("big").mount(Mount.bindReadOnly(www, "/www"))
                        .stdout(Stdio.NULL).stderr(Stdio.NULL).command("/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www").build(),
                new NetworkAttachment.Request(Networks.DEFAULT, null, List.of(), PortMapping.parse("8097:80"), null, List.of(), List.of()));
        started.add(web);
        NetworkConfig n = rt.networks().inspect(Networks.DEFAULT);
        check(n.mtu() == NetworkConfig.LARGE_MTU && n.defaultRouteMtu() == 1500, "the default network's MTUs: " + n);
        String link = execOut(web, "ip -o link show eth0");
        check(link.contains("mtu 65520"), "eth0's MTU: " + link);
        Rtnetlink.Route def = defaultRoute(web);
        check(def != null && def.mtu() == 1500, "the container's default route has MTU 1500: " + def);
        // big segments between the host and the container: a megabyte each way, and through the published port
        check(java.util.Arrays.equals(httpGet(endpoint(web.id()).ip(), 80, "/big"), big), "the megabyte from the container's address");
        check(java.util.Arrays.equals(httpGet("127.0.0.1", 8097, "/big"), big), "the megabyte through the published port");
        // the way out: an "uplink" of this scenario's own, 1500 on the host's side, 9000 beyond
        try (NetnsThread far = NetnsThread.createNew(SYS, "uplink")) {
            try (var nl = new Rtnetlink(SYS)) {
                nl.createVeth("up0", "up0p", 1500, far.netnsFd());
                nl.addAddress("up0", java.net.InetAddress.getByName("10.97.0.1"), 24);
                nl.setUp("up0", true);
            }
            ServerSocket server = far.call(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.setUp("lo", true);
                    nl.setMtu("up0p", 9000);
                    nl.addAddress("up0p", java.net.InetAddress.getByName("10.97.0.2"), 24);
                    nl.setUp("up0p", true);
                    nl.addRoute(null, 0, java.net.InetAddress.getByName("10.97.0.1"), null);
                }
                ServerSocket ss = new ServerSocket();
                ss.bind(new InetSocketAddress(java.net.InetAddress.getByName("10.97.0.2"), 9097));
                return ss;
            });
            // path MTU discovery black-holed: the host's "fragmentation needed" never leaves it
            Nftables.detect().run("table ip jcmtutest {\n  chain out {\n    type filter hook output priority 0; policy accept;\n"
                    + "    icmp type destination-unreachable icmp code frag-needed drop\n  }\n}\n");
            try (server) {
                var received = new java.util.concurrent.CompletableFuture<Long>();
                Thread.ofPlatform().daemon().start(() -> {
                    try (Socket s = server.accept()) {
                        received.complete(s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream()));
                    } catch (IOException e) {
                        received.completeExceptionally(e);
                    }
                });
                String sent = execOut(web, "timeout 20 nc 10.97.0.2 9097 < /www/big; echo rc=$?");
                long got;
                try {
                    got = received.get(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException stalled) {
                    throw new AssertionError("the upload through a 1500-MTU path stalled (segments over 1500 from the container?): " + sent);
                }
                check(sent.contains("rc=0") && got == big.length, "a megabyte out through a 1500-MTU path without path MTU discovery: "
                        + got + " bytes, " + sent);
            } finally {
                Nftables.detect().run("delete table ip jcmtutest\n");
                try (var nl = new Rtnetlink(SYS)) {
                    nl.deleteLink("up0");
                } catch (NetlinkException.NotFound gone) {
                    // went with the uplink's namespace
                }
            }
        }
        // docker's own: the MTU given, on the links and every route
        rt.networks().create("mtu1400", null, null, null, false, java.util.Map.of(), java.util.Map.of(NetworkConfig.MTU_OPTION, "1400"));
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).stdout(Stdio.NULL).stderr(Stdio.NULL)
                .command("/bin/sleep", "60").build(), NetworkAttachment.Request.of("mtu1400"))) {
            String l = execOut(c, "ip -o link show eth0");
            check(l.contains("mtu 1400"), "eth0's MTU on a network of 1400: " + l);
            Rtnetlink.Route r = defaultRoute(c);
            check(r != null && r.mtu() == 0, "no route MTU where the network's is given: " + r);
        }
        expectInvalid(() -> rt.networks().create("mtubad", null, null, null, false, java.util.Map.of(), java.util.Map.of(NetworkConfig.MTU_OPTION, "70000")),
                NetworkConfig.MTU_OPTION);
        closeAll();
        expectClean(); // waits for the endpoints' release, which comes just after a close
        rt.networks().remove("mtu1400");
    }

    /** The container's IPv4 default route, read through a route socket in its network namespace. */
    private static Rtnetlink.Route defaultRoute(Container c) {
        int fd = SYS.open("/proc/" + c.pid() + "/ns/net", io.jcontainer.linux.sys.Syscalls.O_RDONLY | io.jcontainer.linux.sys.Syscalls.O_CLOEXEC, 0);
        try (NetnsThread in = NetnsThread.join(SYS, fd, "mtu-routes")) {
            return in.call(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    return nl.routes().stream().filter(r -> r.isDefault() && r.gateway() instanceof java.net.Inet4Address).findFirst().orElse(null);
                }
            });
        } finally {
            SYS.closeQuietly(fd);
        }
    }

    /** The body of {@code GET path} over HTTP/1.0. */
    private static byte[] httpGet(String host, int port, String path) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] all = s.getInputStream().readAllBytes();
            for (int i = 0; i + 3 < all.length; i++)
                if (all[i] == '\r' && all[i + 1] == '\n' && all[i + 2] == '\r' && all[i + 3] == '\n')
                    return java.util.Arrays.copyOfRange(all, i + 4, all.length);
            throw new IOException("no HTTP header end in " + all.length + " bytes");
        }
    }

    /** An --internal network has no way out: no route beyond its subnet, and the forward chain drops. */
    void internal() throws Exception {
        // a server in the test's namespace, on the default bridge's gateway (an address of "the host")
        Container web = httpd("outside", NetworkAttachment.Request.of(Networks.DEFAULT), List.of());
        String hostAddress = rt.networks().inspect(Networks.DEFAULT).gateway();
        try (ServerSocket host = new ServerSocket()) {
            host.bind(new InetSocketAddress("0.0.0.0", 9999));
            Thread.ofPlatform().daemon().start(() -> serve(host, "from-the-host"));
            rt.networks().create("sealed", null, null, true);
            rt.networks().create("open", null, null, false);
            String open = fetchFrom("open", "http://" + hostAddress + ":9999/");
            check(open.contains("from-the-host"), "a normal network gets out: " + open);
            String sealed = fetchFromQuiet("sealed", "http://" + hostAddress + ":9999/");
            check(!sealed.contains("from-the-host"), "an internal network got out: " + sealed);
            String sealedToContainer = fetchFromQuiet("sealed", "http://" + endpoint(web.id()).ip() + ":80/");
            check(!sealedToContainer.contains("outside"), "an internal network reached another network: " + sealedToContainer);
            String routes = run("sealed", "/bin/ip", "route");
            check(!routes.contains("default"), "no default route on an internal network: " + routes);
        }
        closeAll();
        rt.networks().remove("sealed");
        rt.networks().remove("open");
        expectClean();
    }

    /**
     * One host port published by one container after another, each started right after the last
     * one closed (whose element the reaper may not have deleted yet): each start's element
     * replaces the last one's in one small transaction. The port always reaches the container
     * that has it now, the map holds one element for it, the chains are never rendered again
     * (the record of the applied table is untouched), and no released entry is left behind.
     */
    void republish() throws Exception {
        var req = new NetworkAttachment.Request(Networks.DEFAULT, null, List.of(), PortMapping.parse("18090:80"), null, List.of(), List.of());
        Container first = httpd("rp-0", NetworkAttachment.Request.of(Networks.DEFAULT), List.of("18090:80"));
        expectServed("127.0.0.1", 18090, "rp-0");
        Path record = rt.networks().root().resolve(".rules");
        var applied = Files.getLastModifiedTime(record);
        String recorded = Files.readString(record);
        first.close();
        started.remove(first);
        for (int i = 1; i <= 4; i++) {
            Container c = httpd("rp-" + i, NetworkAttachment.Request.of(Networks.DEFAULT), List.of("18090:80"));
            expectServed("127.0.0.1", 18090, "rp-" + i);
            String rules = rt.networks().kernelRules();
            check(rules.split("18090", -1).length == 2 && rules.contains("tcp . 18090 : " + endpoint(c.id()).ip() + " . 80"),
                    "one element for the port, to rp-" + i + ": " + rules);
            c.close();
            started.remove(c);
        }
        for (int i = 0; i < 20; i++)
            try (Container c = rt.start(spec(null, "true"), req)) {
                check(c.waitFor().code() == 0, "/bin/true on the bridge with -p");
            }
        check(Files.getLastModifiedTime(record).equals(applied) && Files.readString(record).equals(recorded),
                "the table was rendered again instead of its map elements changing: " + Files.readString(record));
        expectClean();
        Path released = rt.networks().root().resolve("endpoints/released");
        try (var left = Files.list(released)) {
            List<Path> l = left.toList();
            check(l.isEmpty(), "released entries left: " + l);
        } catch (java.nio.file.NoSuchFileException none) {
            // none was ever needed
        }
    }

    /**
     * Not a benchmark (see benchmarks/): start -> exit of /bin/true with loopback only, on the
     * default bridge, and on it with a published port, interleaved, medians printed.
     */
    void cost(int rounds) throws Exception {
        long[][] t = new long[3][rounds];
        for (int i = 0; i < rounds + 5; i++) {
            for (int k = 0; k < 3; k++) {
                long t0 = System.nanoTime();
                ContainerSpec sp = spec(null, "true");
                try (Container c = k == 0 ? rt.start(sp) : rt.start(sp, new NetworkAttachment.Request(Networks.DEFAULT, null, List.of(),
                        k == 2 ? PortMapping.parse("18081:80") : List.of(), null, List.of(), List.of()))) {
                    c.waitFor();
                }
                if (i >= 5) t[k][i - 5] = System.nanoTime() - t0;
            }
        }
        String[] names = {"none", "bridge", "bridge -p"};
        for (int k = 0; k < 3; k++) {
            java.util.Arrays.sort(t[k]);
            System.out.printf("%-10s median %.2f ms (start -> exit -> close, %d rounds)%n", names[k], t[k][rounds / 2] / 1e6, rounds);
        }
        expectClean();
    }

    /**
     * Endpoints made ready ahead (the default: two per network): a container that changes its
     * namespace (an address and a route of its own, a neighbour entry, a per-namespace sysctl,
     * a listening socket) leaves none of it to the containers started after it, which each get
     * a namespace that held no process before — only lo and eth0, their own address, the
     * gateway route — and a hosts file naming them and their peers, never a ready entry.
     */
    void ready() throws Exception {
        rt.networks().create("pool", "10.94.0.0/24", null, false);
        // each step where the container may take it (busybox's ip, a /proc/sys it may write); the address and route must be made
        String dirty = "ip addr add 10.77.0.1/32 dev lo && ip route add 10.78.0.0/24 dev eth0 && echo DIRTIED;"
                + " ip neigh add 10.94.0.200 lladdr 02:00:00:00:00:01 dev eth0 2>/dev/null;"
                + " echo 7 2>/dev/null > /proc/sys/net/ipv4/tcp_syn_retries; (nc -l -p 4444 &); sleep 0.2";
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).name("dirty").capAdd(io.jcontainer.Capability.NET_ADMIN)
                        .stdout(Stdio.PIPE).stderr(Stdio.PIPE).command("/bin/sh", "-c", dirty).build(),
                NetworkAttachment.Request.of("pool"))) {
            String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8) + new String(c.stderr().readAllBytes(), StandardCharsets.UTF_8);
            check(c.waitFor().code() == 0 && out.contains("DIRTIED"), "the first container changed its namespace: " + out);
        }
        String gw = rt.networks().inspect("pool").gateway();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String look = "ip -4 addr show; echo ROUTES; ip route; echo NEIGH; ip neigh; echo TTL $(cat /proc/sys/net/ipv4/tcp_syn_retries);"
                    + " echo LINKS $(ls /sys/class/net); echo TCP; cat /proc/net/tcp; echo HOSTS; cat /etc/hosts; echo END";
            Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).name("clean" + i).stdout(Stdio.PIPE).stderr(Stdio.PIPE)
                    .command("/bin/sh", "-c", look + "; sleep 30").build(), NetworkAttachment.Request.of("pool"));
            started.add(c);
            String out = readUntil(c, "END");
            Endpoint ep = endpoint(c.id());
            String addrs = out.substring(0, out.indexOf("ROUTES"));
            check(addrs.contains("inet " + ep.ip() + "/24") && !addrs.contains("10.77.0.1"), "only its own address: " + out);
            check(addrs.split("inet ", -1).length - 1 == 2, "lo's and eth0's address, no other: " + out);
            String routes = out.substring(out.indexOf("ROUTES"), out.indexOf("NEIGH"));
            check(routes.contains("default via " + gw) && !routes.contains("10.78.0.0"), "only its own routes: " + out);
            check(!out.substring(out.indexOf("NEIGH"), out.indexOf("TTL")).contains("10.94.0.200"), "no neighbour of another container: " + out);
            check(out.contains("TTL 6"), "the namespace's sysctls are the kernel's defaults: " + out);
            check(out.contains("LINKS eth0 lo"), "only lo and eth0: " + out);
            String tcp = out.substring(out.indexOf("TCP"), out.indexOf("HOSTS"));
            check(!tcp.contains(":115C"), "no socket of another container (port 4444): " + out);
            String hosts = out.substring(out.indexOf("HOSTS"));
            check(hosts.contains(ep.ip() + "\t") && hosts.contains("clean" + i) && !hosts.contains("pool-"), "its own hosts file: " + out);
            for (String earlier : seen) check(hosts.contains(earlier), "its peers by name (" + earlier + "): " + out);
            seen.add("clean" + i);
            String ns = Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/ns/net")).toString();
            for (Container o : started)
                if (o != c) check(!ns.equals(Files.readSymbolicLink(Path.of("/proc/" + o.pid() + "/ns/net")).toString()), "a namespace of its own");
        }
        check(rt.networks().endpoints("pool").size() == 6, "the ready entries are no one's endpoints: " + rt.networks().endpoints("pool"));
        closeAll();
        rt.networks().remove("pool"); // with its ready entries
        expectClean();
    }

    /** The container's stdout up to the line {@code marker} (it keeps running). */
    private static String readUntil(Container c, String marker) throws IOException {
        var r = new java.io.BufferedReader(new java.io.InputStreamReader(c.stdout(), StandardCharsets.UTF_8));
        StringBuilder b = new StringBuilder();
        for (String line; (line = r.readLine()) != null && !line.equals(marker); ) b.append(line).append('\n');
        return b.toString();
    }

    /** Many create/remove cycles leave no veth, address, rule or IPAM entry. */
    void churn(int cycles) throws Exception {
        rt.networks().create("churn", "10.92.0.0/24", null, false);
        long t0 = System.nanoTime();
        for (int i = 0; i < cycles; i++) {
            List<String> ports = i % 2 == 0 ? List.of("18080:80") : List.of();
            // a third through the container model alone (network mode "churn"), the others with docker's -p
            try (Container c = i % 3 == 0 ? rt.start(spec(null, "true").toBuilder().network("churn").build())
                    : rt.start(spec(null, "true"), new NetworkAttachment.Request(i % 3 == 1 ? Networks.DEFAULT : "churn", null,
                    List.of(), ports.stream().flatMap(p -> PortMapping.parse(p).stream()).toList(), null, List.of(), List.of()))) {
                check(c.waitFor().code() == 0, "cycle " + i);
            }
        }
        System.out.printf("%d cycles in %d ms%n", cycles, (System.nanoTime() - t0) / 1_000_000);
        rt.networks().remove("churn");
        expectClean();
    }

    /** Run in a grandchild JVM: starts a published container, says READY, and waits to be SIGKILLed. */
    void sigkillChild() throws Exception {
        rt.networks().create("crash", "10.93.0.0/24", null, false);
        httpd("victim", NetworkAttachment.Request.of("crash"), List.of("8085:80"));
        System.out.println("READY " + endpoint(started.getFirst().id()).hostVeth());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** After a JVM with a networked container is SIGKILLed, the next runtime's sweep leaves nothing. */
    void sigkill() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",  "-cp", System.getProperty("java.class.path"),
                "-Djcontainer.test.outerNetns=" + System.getProperty("jcontainer.test.outerNetns"),
                NetworkScenarios.class.getName(), "sigkill-child", work.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = "";
        while (line != null && !line.contains("READY")) line = lines.readLine();
        check(line != null, "the child JVM started its container");
        String veth = line.substring(line.indexOf("READY ") + 6).strip();
        check(links().contains(veth), "its veth is there: " + links());
        check(rt.networks().kernelRules().contains("tcp . 8085 : "), "its DNAT map element is there");
        p.destroyForcibly(); // SIGKILL
        p.waitFor();
        // the launcher kills the container when the JVM's end of the control socket closes
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && links().contains(veth)) Thread.sleep(50);
        check(!links().contains(veth), "the veth died with the container's namespace");
        // state is left: an endpoint and a rule, until the next runtime sweeps
        check(!rt.networks().endpoints("crash").isEmpty(), "the dead JVM's endpoint is still recorded (to be swept)");
        // a new runtime's first start sweeps (LinuxContainerRuntime.launcher())
        try (Container c = rt.start(spec(null, "true"))) {
            c.waitFor();
        }
        check(rt.networks().endpoints("crash").isEmpty(), "swept: " + rt.networks().endpoints("crash"));
        for (long end = System.nanoTime() + 10_000_000_000L; rt.networks().kernelRules().contains("8085") && System.nanoTime() < end; )
            sleep(50);
        check(!rt.networks().kernelRules().contains("8085"), "the rule was swept: " + rt.networks().kernelRules());
        rt.networks().remove("crash");
        expectClean();
    }

    // ---- helpers ----

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private ContainerSpec spec(String name, String... cmd) {
        List<String> c = new ArrayList<>(List.of(cmd));
        c.set(0, "/bin/" + c.getFirst());
        return Container.builder().rootfs(TestRootfs.busybox()).name(name).stdout(Stdio.NULL).stderr(Stdio.NULL).command(c).build();
    }

    /** busybox httpd serving a page that says {@code name}. */
    private Container httpd(String name, NetworkAttachment.Request net, List<String> publish) throws IOException {
        Path www = work.resolve("www-" + name);
        Files.createDirectories(www);
        Files.writeString(www.resolve("index.html"), "hello from " + name + "\n");
        List<PortMapping> ports = new ArrayList<>(net.ports());
        for (String p : publish) ports.addAll(PortMapping.parse(p));
        Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).name(name).mount(Mount.bindReadOnly(www, "/www"))
                        .stdout(Stdio.NULL).stderr(Stdio.NULL).command("/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www").build(),
                new NetworkAttachment.Request(net.network(), net.hostname(), net.aliases(), ports, net.ip(), net.dns(), net.addHosts(),
                        net.mac(), net.dnsSearch(), net.dnsOptions(), net.ip6()));
        started.add(c);
        return c;
    }

    private Endpoint endpoint(String id) {
        for (NetworkConfig n : rt.networks().list())
            for (Endpoint e : rt.networks().endpoints(n.name())) if (e.containerId().equals(id)) return e;
        throw new AssertionError("no endpoint for " + id);
    }

    /** A copy of the busybox root with the host's dynamically linked getent and the C library it needs. */
    private Path resolverRoot() throws IOException {
        Path root = TestRootfs.fresh(work.resolve("resolver"));
        Files.copy(Path.of("/usr/bin/getent"), root.resolve("bin/getent"));
        for (String lib : List.of("/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2",
                "/lib/aarch64-linux-gnu/libc.so.6", "/lib/ld-linux-aarch64.so.1")) {
            Path src = Path.of(lib);
            if (!Files.exists(src)) continue;
            Path dst = root.resolve(lib.substring(1));
            Files.createDirectories(dst.getParent());
            Files.copy(src, dst); // follows the symlink: the file itself
        }
        Files.writeString(root.resolve("etc/nsswitch.conf"), "hosts: files\n");
        return root;
    }

    /** A throwaway busybox container on {@code network} running {@code cmd}; its stdout and stderr. */
    private String run(String network, String... cmd) throws Exception {
        return runIn(TestRootfs.busybox(), network, cmd);
    }

    private String runIn(Path rootfs, String network, String... cmd) throws Exception {
        try (Container c = rt.start(Container.builder().rootfs(rootfs).stdout(Stdio.PIPE).stderr(Stdio.PIPE).command(cmd).build(),
                NetworkAttachment.Request.of(network))) {
            String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8) + new String(c.stderr().readAllBytes(), StandardCharsets.UTF_8);
            c.waitFor();
            return out;
        }
    }

    private String fetchFrom(String network, String url) throws Exception {
        for (int i = 0; i < 50; i++) {
            String out = fetchFromQuiet(network, url);
            if (out.contains("hello")) return out;
            Thread.sleep(100); // httpd may not listen yet
        }
        return fetchFromQuiet(network, url);
    }

    /**
     * busybox wget, bounded by busybox timeout (its own -T crashes this static build), with an
     * explicit port (a URL without one makes it look "http" up through NSS, which crashes too).
     */
    private String fetchFromQuiet(String network, String url) throws Exception {
        return run(network, "/bin/sh", "-c", "timeout 3 wget -q -O - " + url + " 2>&1; echo rc=$?");
    }

    private static String execOut(Container c, String script) throws Exception {
        var p = c.exec(io.jcontainer.ExecSpec.of("/bin/sh", "-c", script + " 2>&1").withStdio(Stdio.NULL, Stdio.PIPE, Stdio.NULL));
        String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        p.close();
        return out;
    }

    private static String execCat(Container c, String path) throws Exception {
        var p = c.exec(io.jcontainer.ExecSpec.of("/bin/cat", path).withStdio(Stdio.NULL, Stdio.PIPE, Stdio.NULL));
        String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        p.close();
        return out;
    }

    private static void expectServed(String host, int port, String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 2000);
                s.setSoTimeout(3000);
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                last = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (last.contains("hello from " + name)) return;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(host + ":" + port + " did not serve " + name + ": " + last);
    }

    private static void serve(ServerSocket server, String text) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(2000);
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                in.read(buf);
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.0 200 OK\r\nContent-Length: " + (text.length() + 6) + "\r\n\r\nhello " + text).getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // closed at the end of the scenario
            }
        }
    }

    private static List<String> links() {
        try (var nl = new Rtnetlink(SYS)) {
            return nl.links().stream().map(Rtnetlink.Link::name).toList();
        }
    }

    /** Nothing of any container is left: no veth, no endpoint (IPAM entry), no DNAT rule, no /etc files, no address but gateways. */
    private void expectClean() {
        // namespaces made ahead for the next starts (-Djcontainer.network.warm) are this JVM's, not a container's: dropped first
        rt.networks().dropWarm(null);
        // the veth of a container that exited goes with its namespace, which the kernel tears down a moment later
        for (long end = System.nanoTime() + 10_000_000_000L; links().stream().anyMatch(l -> l.startsWith("jcv")) && System.nanoTime() < end; )
            sleep(50);
        check(links().stream().noneMatch(l -> l.startsWith("jcv")), "veths left: " + links());
        // a closed container's endpoint is released just after (off close's path)
        for (long end = System.nanoTime() + 10_000_000_000L; rt.networks().list().stream().anyMatch(n -> !rt.networks().endpoints(n.name()).isEmpty())
                && System.nanoTime() < end; )
            sleep(50);
        for (NetworkConfig n : rt.networks().list()) check(rt.networks().endpoints(n.name()).isEmpty(), "endpoints left on " + n.name());
        try (var files = Files.list(rt.networks().root().resolve("endpoints"))) {
            List<Path> left = files.filter(f -> f.toString().endsWith(".json")).toList();
            check(left.isEmpty(), "IPAM entries left (ready ones too): " + left);
        } catch (java.nio.file.NoSuchFileException none) {
            // never made
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // the ports of a container that exited are unpublished just after (off the exit's path)
        for (long end = System.nanoTime() + 10_000_000_000L; rt.networks().kernelRules().contains("elements") && System.nanoTime() < end; )
            sleep(50);
        String rules = rt.networks().kernelRules();
        check(!rules.contains("elements"), "published ports left in the DNAT maps: " + rules);
        try (var nl = new Rtnetlink(SYS)) {
            for (Rtnetlink.Address a : nl.addresses()) {
                String ip = a.address().getHostAddress();
                boolean gateway = rt.networks().list().stream().anyMatch(n -> n.gateway().equals(ip));
                check(a.address().isLoopbackAddress() || a.address() instanceof java.net.Inet6Address || gateway, "an address left: " + ip);
            }
        }
        // and so do its /etc files
        Path etc = rt.networks().root().resolve("etc");
        try {
            for (long end = System.nanoTime() + 10_000_000_000L; Files.isDirectory(etc) && Files.list(etc).findAny().isPresent() && System.nanoTime() < end; )
                sleep(50);
            check(!Files.isDirectory(etc) || Files.list(etc).findAny().isEmpty(), "/etc files left under " + etc);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.out.println("clean: no veth, endpoint, DNAT rule or container address left");
    }

    private void closeAll() {
        for (Container c : started) c.close();
        started.clear();
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }
}
