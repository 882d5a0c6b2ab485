package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.TestRootfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The CLI's network scenarios, run by {@link NetworkCliIT} in a JVM of their own started under
 * {@code unshare --net}: every ./jcontainer it runs inherits that private network namespace, so
 * every bridge, veth, address and nftables rule lives there and dies with it, and all traffic
 * goes to loopback or to containers started here (rule 9). Each scenario removes what it
 * started and checks that nothing is left (no veth, no endpoint, no DNAT rule) — also after a
 * failure, where the check's result is reported beside the failure.
 * {@code NetworkCliScenarios SCENARIO WORKDIR}; exit 0 = passed.
 */
public final class NetworkCliScenarios {
    private final Path work, state, root;

    private NetworkCliScenarios(Path work) throws IOException {
        this.work = work;
        this.state = work.resolve("containers");
        this.root = webRoot(work.resolve("root"));
    }

    public static void main(String[] args) throws Exception {
        String outer = System.getProperty("jcontainer.test.outerNetns");
        String mine = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        if (outer == null || outer.equals(mine))
            throw new IllegalStateException("refusing to run network scenarios in " + mine + ", the starting JVM's network namespace: run under unshare --net");
        host("busybox", "ip", "link", "set", "lo", "up");
        var s = new NetworkCliScenarios(Path.of(args[1]));
        Throwable failed = null;
        try {
            switch (args[0]) {
                case "verbs" -> s.verbs();
                case "names" -> s.names();
                case "ports" -> s.ports();
                case "addresses" -> s.addresses();
                case "release" -> s.release();
                case "ipv6" -> s.ipv6();
                case "proxy6" -> s.proxy6();
                case "build" -> s.build();
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (Throwable t) {
            failed = t;
        } finally {
            try {
                s.removeEverything();
                s.expectClean();
            } catch (Throwable t) {
                if (failed == null) failed = t;
                else failed.addSuppressed(t);
            }
        }
        if (failed != null) {
            failed.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.out.println("PASSED " + args[0]);
        System.exit(0);
    }

    /** A busybox root with a page for httpd (/www/index.html says which container serves it). */
    private static Path webRoot(Path dir) throws IOException {
        Path r = TestRootfs.fresh(dir);
        Files.createDirectories(r.resolve("www"));
        return r;
    }

    // ---- scenarios ----

    /** network create/ls/inspect/rm/prune through the CLI, with --format, -q and --filter; rm refused while a container is attached. */
    void verbs() throws Exception {
        String id = ok(cli("network", "create", "--subnet", "10.93.0.0/24", "--gateway", "10.93.0.254", "--ip-range", "10.93.0.64/26",
                "--label", "team=a", "-o", "com.docker.network.bridge.name=jcclitest0", "front")).strip();
        check(id.matches("[0-9a-f]{64}"), "create prints the id: " + id);
        ok(cli("network", "create", "--internal", "back"));
        Result dup = cli("network", "create", "front");
        check(dup.code() == 1 && dup.err().contains("network with name front already exists"), dup.toString());
        Result overlap = cli("network", "create", "--subnet", "10.93.0.128/25", "other");
        check(overlap.code() == 1 && overlap.err().contains("overlaps network front"), overlap.toString());

        String ls = ok(cli("network", "ls"));
        check(ls.lines().findFirst().orElse("").matches("NETWORK ID +NAME +DRIVER +SCOPE"), ls);
        check(ls.contains(" front ") && ls.contains(" back ") && ls.contains(" bridge "), ls);
        check(ok(cli("network", "ls", "--format", "{{.Name}}:{{.Driver}}:{{.Internal}}")).equals("back:bridge:true\nbridge:bridge:false\nfront:bridge:false\nhost:host:false\nnone:null:false\n"),
                "ls --format (docker's host and none modes listed too)");
        check(ok(cli("network", "ls", "--filter", "type=builtin", "--format", "{{.Name}}")).equals("bridge\nhost\nnone\n"), "ls --filter type=builtin");
        Result modeName = cli("network", "create", "host");
        check(modeName.code() == 1 && modeName.err().contains("network with name host already exists"), modeName.toString());
        Result rmMode = cli("network", "rm", "none");
        check(rmMode.code() == 1 && rmMode.err().contains("pre-defined network"), rmMode.toString());
        check(ok(cli("network", "ls", "-q", "--filter", "label=team=a")).equals(id.substring(0, 12) + "\n"), "ls -q --filter label=");
        check(ok(cli("network", "ls", "--filter", "type=custom", "--format", "{{.Name}}")).equals("back\nfront\n"), "ls --filter type=custom");

        String inspect = ok(cli("network", "inspect", "front"));
        for (String s : List.of("\"Name\" : \"front\"", "\"Subnet\" : \"10.93.0.0/24\"", "\"Gateway\" : \"10.93.0.254\"", "\"IPRange\" : \"10.93.0.64/26\"",
                "\"team\" : \"a\"", "\"com.docker.network.bridge.name\" : \"jcclitest0\""))
            check(inspect.contains(s), "inspect has " + s + ": " + inspect);
        check(ok(cli("network", "inspect", "-f", "{{.Internal}} {{.Driver}}", "back")).equals("true bridge\n"), "inspect -f");
        Result missing = cli("network", "inspect", "nope");
        check(missing.code() == 1 && missing.err().contains("network nope not found"), missing.toString());

        // a container on it: its address from the range, the bridge named as asked; rm refused meanwhile
        ok(cli("run", "-d", "--name", "c1", "--network", "front", "--rootfs", root.toString(), "/bin/sleep", "1000"));
        String addr = ok(cli("inspect", "-f", "{{.NetworkSettings.Networks.front.IPAddress}}", "c1")).strip();
        check(addr.equals("10.93.0.64") || addr.equals("10.93.0.65"), "an address from --ip-range: " + addr);
        check(host("busybox", "ip", "-o", "link", "show", "jcclitest0").contains("jcclitest0"), "the bridge has its -o name");
        check(ok(cli("network", "inspect", "-f", "{{len .Containers}}", "front")).equals("1\n"), "inspect lists the container");
        Result busy = cli("network", "rm", "front");
        check(busy.code() == 1 && busy.err().contains("active endpoints"), busy.toString());
        Result builtin = cli("network", "rm", "bridge");
        check(builtin.code() == 1 && builtin.err().contains("pre-defined network"), builtin.toString());
        ok(cli("rm", "-f", "c1"));
        check(ok(cli("network", "rm", "front")).equals("front\n"), "rm prints the name");
        check(!host("busybox", "ip", "-o", "link").contains("jcclitest0"), "the bridge went with the network");
        check(ok(cli("network", "prune", "-f")).equals("Deleted Networks:\nback\n\n"), "prune removes back");
        check(ok(cli("network", "ls", "--format", "{{.Name}}")).equals("bridge\nhost\nnone\n"), "only the default (and the modes) are left");
    }

    /** Two containers on a user network reach each other by name and alias; one on another network cannot; a user network's names are in /etc/hosts. */
    void names() throws Exception {
        ok(cli("network", "create", "--subnet", "10.94.0.0/24", "front"));
        ok(cli("network", "create", "--subnet", "10.95.0.0/24", "other"));
        httpd("alpha", "--network", "front");
        httpd("beta", "--network", "front", "--network-alias", "api");
        String fromAlpha = ok(cli("exec", "alpha", "/bin/busybox", "timeout", "5", "/bin/busybox", "wget", "-q", "-O", "-", "http://beta/"));
        check(fromAlpha.equals("beta\n"), "alpha reaches beta by name: " + fromAlpha);
        check(ok(cli("exec", "alpha", "/bin/busybox", "timeout", "5", "/bin/busybox", "wget", "-q", "-O", "-", "http://api/")).equals("beta\n"), "... and by alias");
        check(ok(cli("exec", "beta", "/bin/busybox", "timeout", "5", "/bin/busybox", "wget", "-q", "-O", "-", "http://alpha/")).equals("alpha\n"), "beta reaches alpha by name");
        String hosts = ok(cli("exec", "alpha", "/bin/cat", "/etc/hosts"));
        check(hosts.matches("(?s).*10\\.94\\.0\\.\\d+\\t[^\\n]*\\bapi\\b.*"), "alpha's /etc/hosts has beta's alias: " + hosts);
        // a third on another network: not by name, not by address
        String betaIp = ok(cli("inspect", "-f", "{{.NetworkSettings.Networks.front.IPAddress}}", "beta")).strip();
        Result across = cli("run", "--rm", "--network", "other", "--rootfs", root.toString(), "/bin/busybox", "timeout", "2", "/bin/busybox", "wget", "-q", "-O", "-",
                "http://" + betaIp + "/");
        check(across.code() != 0 && !across.out().contains("beta"), "another network cannot reach beta: " + across);
        Result byName = cli("run", "--rm", "--network", "other", "--rootfs", root.toString(), "/bin/busybox", "timeout", "2", "/bin/busybox", "wget", "-q", "-O", "-",
                "http://beta/");
        check(byName.code() != 0, "another network does not know beta's name: " + byName);
        // --add-host, --dns, --dns-search and --dns-option reach the container's files
        String files = ok(cli("run", "--rm", "--network", "front", "--add-host", "db.test:10.94.0.200", "--dns", "10.94.0.53",
                "--dns-search", "example.test", "--dns-option", "ndots:2", "--rootfs", root.toString(), "/bin/cat", "/etc/hosts", "/etc/resolv.conf"));
        check(files.contains("10.94.0.200\tdb.test") && files.contains("nameserver 10.94.0.53") && files.contains("search example.test")
                && files.contains("options ndots:2"), "add-host and dns flags: " + files);
        // disconnect and connect a running container
        ok(cli("network", "disconnect", "front", "beta"));
        check(cli("exec", "alpha", "/bin/busybox", "timeout", "2", "/bin/busybox", "wget", "-q", "-O", "-", "http://" + betaIp + "/").code() != 0, "disconnected");
        ok(cli("network", "connect", "--alias", "api2", "other", "beta"));
        String otherIp = ok(cli("inspect", "-f", "{{.NetworkSettings.Networks.other.IPAddress}}", "beta")).strip();
        check(otherIp.startsWith("10.95.0."), "connected to other: " + otherIp);
        String viaOther = ok(cli("run", "--rm", "--network", "other", "--rootfs", root.toString(), "/bin/busybox", "timeout", "5", "/bin/busybox", "wget", "-q", "-O", "-",
                "http://api2/"));
        check(viaOther.equals("beta\n"), "reached on the connected network by its alias: " + viaOther);
    }

    /** -p 127.0.0.1:HOSTPORT:80 serves httpd over loopback and port prints it; -P publishes --expose and the image's EXPOSE; a bound port is refused. */
    void ports() throws Exception {
        int hostPort = 18000 + (int) (ProcessHandle.current().pid() % 1000);
        httpd("web", "-p", "127.0.0.1:" + hostPort + ":80", "-p", "127.0.0.1::80/udp");
        check(get("127.0.0.1", hostPort).equals("web\n"), "served through the published port");
        String port = ok(cli("port", "web"));
        check(port.matches("80/tcp -> 127\\.0\\.0\\.1:" + hostPort + "\n80/udp -> 127\\.0\\.0\\.1:\\d+\n"), "port: " + port);
        check(ok(cli("port", "web", "80")).equals("127.0.0.1:" + hostPort + "\n"), "port web 80");
        // docker's default, asked for with JCONTAINER_DEFAULT_NETWORK=auto: no --network, and the container is on the bridge
        ProcessBuilder auto = new ProcessBuilder(Path.of("..", "jcontainer").toAbsolutePath().normalize().toString(), "run", "--rm",
                "--rootfs", root.toString(), "/bin/busybox", "ip", "-o", "-4", "addr", "show", "eth0");
        auto.environment().put("JCONTAINER_NO_BUILD", "1");
        auto.environment().put("JCONTAINER_STATE_DIR", state.toString());
        auto.environment().put("JCONTAINER_DEFAULT_NETWORK", "auto");
        Result onBridge = CliProcess.collect(auto, "JCONTAINER_DEFAULT_NETWORK=auto jcontainer run");
        check(onBridge.code() == 0 && onBridge.out().contains("inet 172.17.0."), "the default bridge without --network: " + onBridge);
        check(!ok(cli("run", "--rm", "--rootfs", root.toString(), "/bin/busybox", "ip", "-o", "link")).contains("eth0"),
                "JCONTAINER_DEFAULT_NETWORK=none: loopback only");
        String psPorts = ok(cli("ps", "--filter", "name=web", "--format", "{{.Ports}}"));
        check(psPorts.matches("127\\.0\\.0\\.1:" + hostPort + "->80/tcp, 127\\.0\\.0\\.1:\\d+->80/udp\n"), "ps's PORTS: " + psPorts);
        check(ok(cli("ps")).contains("127.0.0.1:" + hostPort + "->80/tcp"), "ps's table has the PORTS column filled");
        Result none = cli("port", "web", "81");
        check(none.code() == 1 && none.err().contains("No public port '81/tcp' published for web"), none.toString());
        String ports = ok(cli("inspect", "-f", "{{json .NetworkSettings.Ports}}", "web"));
        check(ports.contains("\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"" + hostPort + "\"}]"), "inspect's Ports: " + ports);
        String settings = ok(cli("inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.MacAddress}} {{.HostConfig.NetworkMode}}", "web"));
        check(settings.matches("172\\.17\\.0\\.\\d+ 172\\.17\\.0\\.1 02:42:ac:11:00:[0-9a-f]{2} bridge\n"), "default bridge settings: " + settings);
        // taken by another container
        Result taken = cli("run", "-d", "-p", "127.0.0.1:" + hostPort + ":80", "--rootfs", root.toString(), "/bin/sleep", "10");
        check(taken.code() != 0 && taken.err().contains("already allocated"), taken.toString());

        // -P: --expose on a root directory ...
        httpd("pub", "-P", "--expose", "80");
        int p1 = Integer.parseInt(ok(cli("port", "pub", "80")).strip().replaceFirst(".*:", ""));
        check(p1 >= 32768 && get("127.0.0.1", p1).equals("pub\n"), "-P --expose 80 on " + p1);
        // ... and an image's EXPOSE
        Path ctx = Files.createDirectories(work.resolve("ctx"));
        Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"));
        Files.createDirectories(ctx.resolve("www"));
        Files.writeString(ctx.resolve("www/index.html"), "image\n");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nEXPOSE 80/tcp\n");
        ok(cli("build", "-q", "-t", "jc-net/web:1", ctx.toString()));
        ok(cli("run", "-d", "--name", "img", "-P", "jc-net/web:1", "/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"));
        int p2 = Integer.parseInt(ok(cli("port", "img", "80/tcp")).strip().replaceFirst(".*:", ""));
        check(awaitGet("127.0.0.1", p2).equals("image\n"), "-P with the image's EXPOSE on " + p2);
    }

    /** --ip and --mac-address are what the container sees; container:NAME shares the same interfaces. */
    void addresses() throws Exception {
        ok(cli("network", "create", "--subnet", "10.96.0.0/24", "front"));
        httpd("fixed", "--network", "front", "--ip", "10.96.0.77", "--mac-address", "92:d0:c6:0a:29:33");
        String inside = ok(cli("exec", "fixed", "/bin/busybox", "ip", "addr", "show", "eth0"));
        check(inside.contains("inet 10.96.0.77/24") && inside.contains("link/ether 92:d0:c6:0a:29:33"), "inside: " + inside);
        String settings = ok(cli("inspect", "-f", "{{.NetworkSettings.Networks.front.IPAddress}} {{.NetworkSettings.Networks.front.MacAddress}} {{.Config.MacAddress}}", "fixed"));
        check(settings.equals("10.96.0.77 92:d0:c6:0a:29:33 92:d0:c6:0a:29:33\n"), "inspect: " + settings);
        Result clash = cli("run", "--rm", "--network", "front", "--ip", "10.96.0.77", "--rootfs", root.toString(), "/bin/true");
        check(clash.code() != 0 && clash.err().contains("already in use"), clash.toString());
        // container:NAME: the same namespace (same interfaces, its localhost is fixed's)
        String links = ok(cli("exec", "fixed", "/bin/busybox", "ip", "-o", "link")).replaceAll("link-netnsid \\d+", "");
        String joined = ok(cli("run", "--rm", "--network", "container:fixed", "--rootfs", root.toString(), "/bin/sh", "-c",
                "busybox ip -o link; busybox timeout 5 busybox wget -q -O - http://127.0.0.1/"));
        check(joined.replaceAll("link-netnsid \\d+", "").equals(links + "fixed\n"), "container:fixed shares its interfaces and loopback:\n" + joined + "\nvs\n" + links);
        check(ok(cli("run", "--rm", "--network", "container:fixed", "--rootfs", root.toString(), "/bin/readlink", "/proc/self/ns/net"))
                .equals(ok(cli("exec", "fixed", "/bin/readlink", "/proc/self/ns/net"))), "one network namespace");
        Result stopped = cli("run", "--rm", "--network", "container:nosuch", "--rootfs", root.toString(), "/bin/true");
        check(stopped.code() != 0 && stopped.err().contains("nosuch"), stopped.toString());
        Result hostname = cli("run", "--rm", "--network", "container:fixed", "-h", "x", "--rootfs", root.toString(), "/bin/true");
        check(hostname.code() == 125 && hostname.err().contains("conflicting options"), hostname.toString());
    }

    /** network create --ipv6 with an IPv6 and an IPv4 subnet: inspect shows both, containers reach each other over IPv6, --ip6 holds. */
    void ipv6() throws Exception {
        ok(cli("network", "create", "--ipv6", "--subnet", "fd00:7::/64", "--subnet", "10.98.0.0/24", "six"));
        String net = ok(cli("network", "inspect", "six"));
        check(net.contains("\"EnableIPv6\" : true") && net.contains("\"Subnet\" : \"fd00:7::/64\"") && net.contains("\"Gateway\" : \"fd00:7::1\"")
                && net.contains("\"Subnet\" : \"10.98.0.0/24\""), "network inspect: " + net);
        httpd("web6", "--network", "six", "--ip6", "fd00:7::50");
        String settings = ok(cli("inspect", "-f", "{{.NetworkSettings.Networks.six.GlobalIPv6Address}} {{.NetworkSettings.Networks.six.GlobalIPv6PrefixLen}} "
                + "{{.NetworkSettings.Networks.six.IPv6Gateway}} {{.NetworkSettings.Networks.six.IPAddress}}", "web6"));
        check(settings.equals("fd00:7::50 64 fd00:7::1 10.98.0.2\n"), "container inspect: " + settings);
        check(ok(cli("network", "inspect", "six")).contains("\"IPv6Address\" : \"fd00:7::50/64\""), "the network lists its IPv6 address");
        String fetched = "";
        for (int i = 0; i < 30 && !fetched.contains("web6"); i++)
            fetched = cli("run", "--rm", "--network", "six", "--rootfs", root.toString(), "/bin/sh", "-c",
                    "busybox timeout 5 busybox wget -q -O - 'http://[fd00:7::50]:80/' 2>&1; busybox ip -6 addr show eth0").out();
        check(fetched.contains("web6") && fetched.contains("inet6 fd00:7::2/64"), "another container fetches over IPv6: " + fetched);
        check(ok(cli("exec", "web6", "/bin/cat", "/etc/hosts")).contains("fd00:7::50\t"), "its IPv6 address in /etc/hosts");
        // -p with docker's bracketed IPv6 host address: published on the network gateway's IPv6 address (one of this
        // namespace's own), reached from here through the output chain's dnat6_ip element
        httpd("pub6", "--network", "six", "-p", "[fd00:7::1]:18086:80");
        check(ok(cli("port", "pub6")).equals("80/tcp -> [fd00:7::1]:18086\n"), "port pub6: " + cli("port", "pub6"));
        check(ok(cli("ps", "--format", "{{.Names}} {{.Ports}}")).contains("pub6 [fd00:7::1]:18086->80/tcp"), "ps PORTS");
        check(awaitGet("fd00:7::1", 18086).equals("pub6\n"), "fetched through [fd00:7::1]:18086");
        Result loop6 = cli("run", "--rm", "--network", "six", "-p", "[::1]::80/udp", "--rootfs", root.toString(), "/bin/true");
        check(loop6.code() != 0 && loop6.err().contains("IPv6 loopback") && loop6.err().contains("TCP only"), "[::1] UDP is refused, saying why: " + loop6);
        Result no6 = cli("run", "--rm", "-p", "[fd00:7::1]:18087:80", "--rootfs", root.toString(), "/bin/true");
        check(no6.code() != 0 && no6.err().contains("network with IPv6"), "an IPv6 host address on a network without IPv6: " + no6);
        ok(cli("rm", "-f", "pub6"));
        Result noFlag = cli("network", "create", "--subnet", "fd00:8::/64", "nov6");
        check(noFlag.code() != 0 && noFlag.err().contains("--ipv6"), noFlag.toString());
        Result overlap = cli("network", "create", "--ipv6", "--subnet", "fd00:7::/48", "over6");
        check(overlap.code() != 0 && overlap.err().contains("overlaps network six"), overlap.toString());
        Result malformed = cli("network", "create", "--ipv6", "--subnet", "fd00::zz/64", "bad6");
        check(malformed.code() != 0 && malformed.err().contains("not an IPv6 address"), malformed.toString());
    }

    /**
     * {@code -p [::1]:…}: the kernel cannot forward from the IPv6 loopback address (no
     * route_localnet for IPv6), so the container's monitor serves it with a userland proxy — on
     * the default bridge, an IPv4-only network: the CLI that started it has exited, and the
     * proxy serves a page, 2 MiB exactly and eight clients at once; the port is taken while it
     * lives; it goes with {@code rm} and with a SIGKILLed monitor.
     */
    void proxy6() throws Exception {
        httpd("p6", "-p", "[::1]::80", "-p", "127.0.0.1::80");
        String port = ok(cli("port", "p6"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("80/tcp -> \\[::1]:(\\d+)\n").matcher(port);
        check(m.find() && port.contains("80/tcp -> 127.0.0.1:"), "port p6: " + port);
        int p6 = Integer.parseInt(m.group(1));
        check(awaitGet("::1", p6).equals("p6\n"), "served on [::1] by the proxy after the CLI exited");
        byte[] big = new byte[2 << 20];
        new java.util.Random(p6).nextBytes(big);
        Files.write(work.resolve("pages/p6/big"), big);
        check(java.util.Arrays.equals(getBytes("::1", p6, "/big"), big), "2 MiB through the proxy, byte for byte");
        var fetches = new ArrayList<java.util.concurrent.Future<byte[]>>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) fetches.add(pool.submit(() -> getBytes("::1", p6, "/big")));
            for (var f : fetches) check(java.util.Arrays.equals(f.get(60, TimeUnit.SECONDS), big), "eight clients at once");
        }
        check(ok(cli("ps", "--filter", "name=p6", "--format", "{{.Ports}}")).contains("[::1]:" + p6 + "->80/tcp"), "ps's PORTS");
        check(ok(cli("inspect", "-f", "{{json .NetworkSettings.Ports}}", "p6")).contains("{\"HostIp\":\"::1\",\"HostPort\":\"" + p6 + "\"}"),
                "inspect's Ports");
        Result taken = cli("run", "--rm", "-p", "[::1]:" + p6 + ":80", "--rootfs", root.toString(), "/bin/true");
        check(taken.code() != 0 && taken.err().contains("already allocated"), "taken while it lives: " + taken);
        ok(cli("rm", "-f", "p6"));
        awaitRefused("::1", p6, "after rm");

        httpd("k6", "-p", "[::1]::80");
        int k6 = Integer.parseInt(ok(cli("port", "k6", "80")).strip().replaceAll(".*:", ""));
        check(awaitGet("::1", k6).equals("k6\n"), "k6 served");
        long monitor = Long.parseLong(ok(cli("inspect", "-f", "{{.State.MonitorPid}}", "k6")).strip());
        check(monitor > 0, "the monitor's pid");
        check(ProcessHandle.of(monitor).map(ProcessHandle::destroyForcibly).orElse(false), "SIGKILL to the monitor " + monitor);
        awaitRefused("::1", k6, "after its monitor was SIGKILLed");
        ok(cli("rm", "-f", "k6"));
    }

    /** The port refuses connections within 10 s (the proxy ends with its monitor, a moment after it). */
    private static void awaitRefused(String ip, int port, String when) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (var sock = new java.net.Socket()) {
                sock.connect(new java.net.InetSocketAddress(ip, port), 5000);
            } catch (java.net.ConnectException refused) {
                return;
            } catch (IOException closing) {
                // reset: the listener closed with this connection in its queue; the next one is refused
            }
            if (System.nanoTime() > end) throw new AssertionError("[" + ip + "]:" + port + " still accepts " + when);
            Thread.sleep(50);
        }
    }

    /** GET {@code path} over HTTP/1.0; the body's bytes. */
    private static byte[] getBytes(String ip, int port, String path) throws IOException {
        try (var sock = new java.net.Socket()) {
            sock.connect(new java.net.InetSocketAddress(ip, port), 5000);
            sock.setSoTimeout(30000);
            sock.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] r = sock.getInputStream().readAllBytes();
            for (int i = 0; i + 3 < r.length; i++)
                if (r[i] == '\r' && r[i + 1] == '\n' && r[i + 2] == '\r' && r[i + 3] == '\n') return java.util.Arrays.copyOfRange(r, i + 4, r.length);
            throw new IOException("not an HTTP answer from " + ip + ":" + port);
        }
    }

    /** A detached container that exits gives its endpoint back when it is next seen (ps), and rm gives back a running one's: no veth, lease or rule is left. */
    void release() throws Exception {
        ok(cli("network", "create", "--subnet", "10.97.0.0/24", "front"));
        ok(cli("run", "-d", "--name", "short", "--network", "front", "-p", "127.0.0.1::80", "--rootfs", root.toString(), "/bin/sleep", "1"));
        check(endpoints().size() == 1, "one endpoint while it runs: " + endpoints());
        long end = System.nanoTime() + 20_000_000_000L;
        while (!ok(cli("ps", "-a", "--format", "{{.Names}} {{.State}}")).contains("short exited") && System.nanoTime() < end) Thread.sleep(200);
        check(endpoints().isEmpty(), "released once the exit was seen: " + endpoints());
        check(!vethsLeft().contains("jcv"), "no veth left");
        check(!rules().contains("elements"), "no port rule left: " + rules());
        // started again, it gets its network back
        ok(cli("start", "short"));
        check(endpoints().size() == 1, "started again: " + endpoints());
        for (int i = 0; i < 5; i++) ok(cli("run", "-d", "--name", "c" + i, "--network", "front", "-p", "127.0.0.1::80", "--rootfs", root.toString(), "/bin/sleep", "1000"));
        check(endpoints().size() >= 5, "five more: " + endpoints());
        ok(cli("rm", "-f", "c0", "c1", "c2", "c3", "c4"));
        ok(cli("rm", "-f", "short"));
        check(endpoints().isEmpty(), "rm released them: " + endpoints());
        check(!rules().contains("elements"), "no port rule left: " + rules());

        // rm from another network namespace (a nested private one of this test), while containers
        // run here, leaves the kernel objects alone, saying why; the next start here sweeps them
        ok(cli("run", "-d", "--name", "keeper", "--network", "front", "--rootfs", root.toString(), "/bin/sleep", "1000"));
        ok(cli("run", "-d", "--name", "far", "--network", "front", "-p", "127.0.0.1::80", "--rootfs", root.toString(), "/bin/sleep", "1000"));
        String before = rules();
        ProcessBuilder pb = new ProcessBuilder("unshare", "--net", "--", Path.of("..", "jcontainer").toAbsolutePath().normalize().toString(), "rm", "-f", "far");
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        pb.environment().put("JCONTAINER_STATE_DIR", state.toString());
        Result elsewhere = CliProcess.collect(pb, "unshare --net jcontainer rm -f far");
        check(elsewhere.code() == 0 && elsewhere.out().equals("far\n"), "rm from elsewhere removes the container: " + elsewhere);
        check(elsewhere.err().contains("are wired in network namespace"), "... and says why it leaves the network: " + elsewhere);
        check(rules().equals(before) && endpoints().size() == 2, "... which is untouched here: " + endpoints() + "\n" + rules());
        ok(cli("rm", "-f", "keeper"));
        ok(cli("run", "--rm", "--rootfs", root.toString(), "/bin/true")); // a start sweeps
        check(endpoints().isEmpty() && !rules().contains("elements"), "swept: " + endpoints() + "\n" + rules());
    }

    /**
     * A build's RUN steps: with docker's default (JCONTAINER_DEFAULT_NETWORK=auto, no --network)
     * as root they are on the default bridge and fetch a file from an httpd container started
     * here, which lands in the image; {@code build --network none} and {@code RUN --network=none}
     * give them loopback only; {@code RUN --network=host} needs {@code --allow network.host}, and
     * then has this namespace's network (its bridge reaches the container too).
     */
    void build() throws Exception {
        httpd("files", "--network", "bridge");
        String ip = ok(cli("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "files")).strip();
        check(ip.startsWith("172.17.0."), "httpd on the default bridge: " + ip);
        Path ctx = Files.createDirectories(work.resolve("build-net"));
        Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"));
        String fetch = "/bin/busybox timeout 10 /bin/busybox wget -q -O /fetched http://" + ip + "/";
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\n"
                + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"" + fetch + " && /bin/busybox ip -o -4 addr show eth0 > /addr\"]\n");
        Result auto = build("auto", "--no-cache", "-t", "jc-net/fetched:1", ctx.toString());
        check(auto.code() == 0, "RUN on the default bridge without --network: " + auto);
        check(ok(cli("run", "--rm", "jc-net/fetched:1", "/bin/busybox", "cat", "/fetched")).equals("files\n"), "the fetched file is in the image");
        check(ok(cli("run", "--rm", "jc-net/fetched:1", "/bin/busybox", "cat", "/addr")).contains("inet 172.17.0."), "the step had a bridge address");

        Result none = build("auto", "--no-cache", "--network", "none", ctx.toString());
        check(none.code() == 1 && none.err().contains("exit code"), "build --network none: loopback only, the fetch fails: " + none);
        Result harness = build("none", "--no-cache", ctx.toString());
        check(harness.code() == 1, "JCONTAINER_DEFAULT_NETWORK=none: loopback only: " + harness);
        Result named = build("none", "--no-cache", "--network", "bridge", "-t", "jc-net/fetched:2", ctx.toString());
        check(named.code() == 0, "build --network bridge: " + named);

        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\n"
                + "RUN --network=none [\"/bin/busybox\", \"sh\", \"-c\", \"" + fetch + "\"]\n");
        Result stepNone = build("auto", "--no-cache", ctx.toString());
        check(stepNone.code() == 1 && stepNone.err().contains("exit code"), "RUN --network=none on a build with the bridge: " + stepNone);

        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\n"
                + "RUN --network=host [\"/bin/busybox\", \"sh\", \"-c\", \"" + fetch + " && /bin/busybox readlink /proc/self/ns/net > /netns\"]\n");
        Result refused = build("auto", "--no-cache", ctx.toString());
        check(refused.code() == 1 && refused.err().contains("RUN --network=host needs the network.host entitlement"), "RUN --network=host refused: " + refused);
        Result host = build("none", "--no-cache", "--allow", "network.host", "-t", "jc-net/host:1", ctx.toString());
        check(host.code() == 0, "RUN --network=host with --allow network.host: " + host);
        String mine = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        check(ok(cli("run", "--rm", "jc-net/host:1", "/bin/busybox", "cat", "/netns")).strip().equals(mine), "... in this namespace's network");
        for (String image : List.of("jc-net/fetched:1", "jc-net/fetched:2", "jc-net/host:1")) cli("rmi", image);
    }

    /** ./jcontainer build with JCONTAINER_DEFAULT_NETWORK set to {@code setting}. */
    private Result build(String setting, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of("..", "jcontainer").toAbsolutePath().normalize().toString(), "build"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        pb.environment().put("JCONTAINER_STATE_DIR", state.toString());
        pb.environment().put("JCONTAINER_DEFAULT_NETWORK", setting);
        return CliProcess.collect(pb, "JCONTAINER_DEFAULT_NETWORK=" + setting + " " + String.join(" ", cmd));
    }

    // ---- helpers ----

    private void httpd(String name, String... flags) throws Exception {
        Files.writeString(root.resolve("www/index.html"), name + "\n");
        Path page = work.resolve("pages").resolve(name);
        Files.createDirectories(page);
        Files.writeString(page.resolve("index.html"), name + "\n");
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(List.of(flags));
        args.addAll(List.of("-v", page + ":/www:ro", "--rootfs", root.toString(), "/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"));
        ok(cli(args.toArray(String[]::new)));
        // run -d returns once httpd runs, not once it listens: a fetch from elsewhere must not race it
        long end = System.nanoTime() + 30_000_000_000L;
        Result own;
        while (!(own = cli("exec", name, "/bin/busybox", "timeout", "5", "/bin/busybox", "wget", "-q", "-O", "-", "http://127.0.0.1/")).out().equals(name + "\n")
                && System.nanoTime() < end) Thread.sleep(100);
        check(own.out().equals(name + "\n"), name + "'s httpd serves on its loopback: " + own);
    }

    private Result cli(String... args) throws Exception {
        return CliProcess.run(state, args);
    }

    private static String ok(Result r) {
        if (r.code() != 0) throw new AssertionError("exit " + r.code() + ": " + r.err() + r.out());
        return r.out();
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    /**
     * An HTTP GET over loopback (the only host address a test may use); the body. (Not busybox
     * wget: its static build crashes with -T, and without it an unanswered connect hangs.)
     */
    private static String get(String ip, int port) throws Exception {
        try (var sock = new java.net.Socket()) {
            sock.connect(new java.net.InetSocketAddress(ip, port), 5000);
            sock.setSoTimeout(5000);
            sock.getOutputStream().write(("GET / HTTP/1.0\r\nHost: " + ip + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String r = new String(sock.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int body = r.indexOf("\r\n\r\n");
            if (!r.startsWith("HTTP/1.") || body < 0) throw new AssertionError("not an HTTP answer from " + ip + ":" + port + ": " + r);
            return r.substring(body + 4);
        } catch (IOException e) {
            throw new AssertionError("GET http://" + ip + ":" + port + "/: " + e, e);
        }
    }

    private static String awaitGet(String ip, int port) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return get(ip, port);
            } catch (AssertionError e) {
                if (System.nanoTime() > end) throw e;
                Thread.sleep(100);
            }
        }
    }

    private List<String> endpoints() throws IOException {
        Path dir = work.resolve("networks/endpoints");
        if (!Files.isDirectory(dir)) return List.of();
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }

    /**
     * The links here once no container veth is left or 10 s have passed: the veth of a container
     * that exited goes with its namespace, which the kernel tears down a moment after.
     */
    private static String vethsLeft() throws Exception {
        String links = host("busybox", "ip", "-o", "link");
        for (long end = System.nanoTime() + 10_000_000_000L; links.contains("jcv") && System.nanoTime() < end; ) {
            Thread.sleep(50);
            links = host("busybox", "ip", "-o", "link");
        }
        return links;
    }

    private static String rules() throws Exception {
        String tables = host("nft", "list", "tables", "ip");
        return tables.contains("jcontainer") ? host("nft", "list", "table", "ip", "jcontainer") : "";
    }

    private void removeEverything() throws Exception {
        CliProcess.removeAll(state);
        for (String n : ok(cli("network", "ls", "--format", "{{.Name}}")).split("\n"))
            if (!n.isBlank() && !List.of("bridge", "host", "none").contains(n)) cli("network", "rm", n);
    }

    /** Nothing of the scenario's containers is left in the namespace: no veth, no endpoint, no DNAT, no network but the default. */
    private void expectClean() throws Exception {
        check(endpoints().isEmpty(), "endpoints left: " + endpoints());
        String links = vethsLeft();
        check(!links.contains("jcv"), "veths left: " + links);
        check(!rules().contains("elements"), "port rules left: " + rules());
        check(ok(cli("network", "ls", "--format", "{{.Name}}")).equals("bridge\nhost\nnone\n"), "networks left");
    }

    /** A program of the host, in this namespace; its stdout, or an AssertionError with both outputs. */
    static String host(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.complete(e.toString());
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        if (p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + err.get() + out);
        return out;
    }
}
