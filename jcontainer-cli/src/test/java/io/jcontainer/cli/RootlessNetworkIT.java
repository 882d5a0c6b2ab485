package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An ordinary user's own networks (issue 13's rootless user-defined networks): ./jcontainer runs
 * as {@code jcuser}, each invocation entered into a private network namespace this test makes
 * (rule 9: loopback, a veth pair of its own whose far end goes nowhere, and a default route so
 * pasta has an interface to copy). There the user creates a network; two containers on it reach
 * each other by name and by address; a third on another network does not; {@code -p} publishes
 * a container's port on that namespace's loopback; the way out (pasta) reaches a server the
 * test runs on that namespace's loopback, through pasta's mapping of the gateway address. When
 * the last container goes, so do the holder process and its namespaces; a JVM killed with
 * SIGKILL leaves nothing that the next start does not sweep.
 */
@RequiresRoot
class RootlessNetworkIT {
    static final String GATEWAY = "10.250.0.254"; // pasta maps it to the outer namespace's loopback

    @TempDir
    Path tmp;
    Path xdg, home, www;
    JcUser user;
    Process outer; // holds the private network namespace
    String netns;

    @BeforeEach
    void setUp() throws Exception {
        assertThat(Path.of("/usr/bin/pasta")).as("pasta (apt-get install passt)").isExecutable();
        user = JcUser.ensure();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        xdg = Files.createDirectory(tmp.resolve("xdg"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        home = Files.createDirectory(tmp.resolve("home"));
        for (Path p : List.of(xdg, home)) assertThat(JcUser.sh("chown", user.uid() + ":" + user.gid(), p.toString()).code()).isZero();
        www = Files.createDirectory(tmp.resolve("www"));
        Files.writeString(www.resolve("outside.txt"), "from the host's loopback\n");
        String setup = "set -e; ip link set lo up; ip link add jct0 type veth peer name jct1; ip link set jct1 up; "
                + "ip addr add 10.250.0.1/24 dev jct0; ip link set jct0 up; ip route add default via " + GATEWAY + "; "
                + "echo ready; exec sleep 600";
        outer = new ProcessBuilder("unshare", "--net", "--", "sh", "-c", setup).redirectErrorStream(true).start();
        String first = new String(outer.getInputStream().readNBytes(6));
        assertThat(first).isEqualTo("ready\n");
        netns = "/proc/" + outer.pid() + "/ns/net";
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            for (String id : cli("ps", "-a", "-q", "--no-trunc").out().split("\n")) if (!id.isBlank()) cli("rm", "-f", id);
            for (String n : List.of("rn1", "rn2", "rn6")) cli("network", "rm", n);
        } finally {
            outer.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // the namespace and its veth pair go with it
        }
    }

    interface Command {
        Result run() throws Exception;
    }

    /** Runs {@code c} until it succeeds, for up to 30 s (a server's readiness, waited for). */
    static void awaitOk(Command c) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Result r;
        while ((r = c.run()).code() != 0 && System.nanoTime() < end) Thread.sleep(100);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
    }

    /** ./jcontainer as jcuser in the test's network namespace. */
    Result cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + netns));
        cmd.addAll(user.command(home, List.of("XDG_RUNTIME_DIR=" + xdg), args));
        return JcUser.sh(cmd.toArray(String[]::new));
    }

    /** A command as root in the test's network namespace. */
    Result outer(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + netns));
        cmd.addAll(List.of(args));
        return JcUser.sh(cmd.toArray(String[]::new));
    }

    Path networks() {
        return xdg.resolve("jcontainer/networks");
    }

    /** The user's processes whose command line names this test's state (holder, pasta). */
    List<String> leftovers() {
        return ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(xdg.toString()) && (c.contains("--netns-holder") || c.contains("pasta"))).toList();
    }

    @Test
    void twoContainersOnAnOrdinaryUsersNetworkReachEachOtherPublishAndGoOut() throws Exception {
        Result create = cli("network", "create", "rn1");
        assertThat(create.code()).as(create.err()).isZero();
        assertThat(cli("network", "ls").out()).contains("rn1");
        assertThat(leftovers()).as("no holder before a container needs it").isEmpty();

        Result a1 = cli("run", "-d", "--name", "a1", "--network", "rn1", "-p", "127.0.0.1:18580:80",
                "busybox", "httpd", "-f", "-p", "80", "-h", "/etc");
        assertThat(a1.code()).as(a1.err()).isZero();
        assertThat(leftovers()).anyMatch(c -> c.contains("--netns-holder"));
        // run -d returns once httpd runs, not once it listens: the fetches below must not race its bind
        awaitOk(() -> cli("exec", "a1", "busybox", "wget", "-q", "-O-", "http://127.0.0.1/hostname"));

        // by name, and by the address /etc/hosts gives the name
        Result peer = cli("run", "--rm", "--network", "rn1", "busybox", "sh", "-c",
                "wget -q -O- http://a1/hostname && ip=$(grep -w a1 /etc/hosts | cut -f1) && echo ip=$ip && wget -q -O- http://$ip/hostname && ip route");
        assertThat(peer.code()).as(peer.out() + peer.err()).isZero();
        String shortId = a1.out().strip().substring(0, 12);
        assertThat(peer.out()).startsWith(shortId + "\nip=").contains("\n" + shortId + "\n")
                .contains("default via " + GATEWAY + " dev tap0"); // the way out is pasta's; eth0 only reaches the network
        String ip = peer.out().lines().filter(l -> l.startsWith("ip=")).findFirst().orElseThrow().substring(3);

        // -p: published on the (private) host's loopback through pasta
        Result fetch = outer("busybox", "wget", "-q", "-O-", "http://127.0.0.1:18580/hostname");
        assertThat(fetch.code()).as(fetch.err()).isZero();
        assertThat(fetch.out()).isEqualTo(shortId + "\n");
        // port and inspect show the port pasta publishes (no bridge rule holds it)
        assertThat(cli("port", "a1").out()).isEqualTo("80/tcp -> 127.0.0.1:18580\n");
        assertThat(cli("inspect", "-f", "{{json .NetworkSettings.Ports}}", "a1").out())
                .contains("\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"18580\"}]");
        // the default network through pasta: -p 127.0.0.1::80 gets a free port, which port and ps show and which serves
        Result d1 = cli("run", "-d", "--name", "d1", "-p", "127.0.0.1::80", "busybox", "httpd", "-f", "-p", "80", "-h", "/etc");
        assertThat(d1.code()).as(d1.err()).isZero();
        String d1Port = cli("port", "d1", "80").out().strip();
        assertThat(d1Port).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(cli("ps", "--filter", "name=d1", "--format", "{{.Ports}}").out()).isEqualTo(d1Port + "->80/tcp\n");
        Result viaD1 = outer("busybox", "wget", "-q", "-O-", "http://" + d1Port + "/hostname");
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); viaD1.code() != 0 && System.nanoTime() < end; ) {
            Thread.sleep(100); // httpd may not listen yet: pasta then resets the connection
            viaD1 = outer("busybox", "wget", "-q", "-O-", "http://" + d1Port + "/hostname");
        }
        assertThat(viaD1.code()).as(viaD1.err()).isZero();
        assertThat(viaD1.out()).isEqualTo(d1.out().strip().substring(0, 12) + "\n");
        assertThat(cli("rm", "-f", "d1").code()).isZero();

        // the way out: a server on the host's loopback, reached through pasta's mapping of the gateway
        Process server = new ProcessBuilder("nsenter", "--net=" + netns, "busybox", "httpd", "-f", "-p", "127.0.0.1:18581", "-h", www.toString()).start();
        try {
            awaitOk(() -> outer("busybox", "wget", "-q", "-O-", "http://127.0.0.1:18581/outside.txt")); // listening (a sleep stood in for this)
            Result out = cli("run", "--rm", "--network", "rn1", "busybox", "wget", "-q", "-O-", "http://" + GATEWAY + ":18581/outside.txt");
            assertThat(out.code()).as(out.err()).isZero();
            assertThat(out.out()).isEqualTo("from the host's loopback\n");
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        // another network of the user's cannot reach the first
        assertThat(cli("network", "create", "rn2").code()).isZero();
        // (busybox wget's static build crashes with -T: busybox timeout ends it instead, 143)
        Result other = cli("run", "--rm", "--network", "rn2", "busybox", "sh", "-c",
                "grep -c -w a1 /etc/hosts; busybox timeout 3 busybox wget -q -O- http://" + ip + "/hostname; echo by-address=$?");
        assertThat(other.code()).as(other.err()).isZero();
        assertThat(other.out()).doesNotContain(shortId).startsWith("0\n").contains("by-address=143\n"); // no name (no DNS asked: rule 9)

        // a network with containers is not removed; without them it is, and nothing stays
        Result busy = cli("network", "rm", "rn1");
        assertThat(busy.code()).isNotZero();
        assertThat(busy.err()).contains("active endpoints");
        assertThat(cli("rm", "-f", "a1").code()).isZero();
        awaitNoLeftovers();
        assertThat(cli("network", "rm", "rn1").code()).isZero();
        assertThat(cli("network", "rm", "rn2").code()).isZero();
        assertThat(networks().resolve("endpoints")).isEmptyDirectory();
        assertThat(networks().resolve("rootless/holder.sock")).doesNotExist();
        Result unpublished = outer("busybox", "wget", "-q", "-O-", "http://127.0.0.1:18580/hostname");
        assertThat(unpublished.code()).isEqualTo(1);
        assertThat(unpublished.err()).contains("refused");
    }

    /** network create --ipv6 as an ordinary user: containers get an IPv6 address on the bridge (--ip6 held) and reach each other over it. */
    @Test
    void anOrdinaryUsersIpv6NetworkCarriesIpv6BetweenContainers() throws Exception {
        Result create = cli("network", "create", "--ipv6", "--subnet", "fd00:77::/64", "rn6");
        assertThat(create.code()).as(create.err()).isZero();
        assertThat(cli("network", "inspect", "-f", "{{.EnableIPv6}} {{range .IPAM.Config}}{{.Subnet}} {{end}}", "rn6").out()).startsWith("true ").contains("fd00:77::/64");
        Result s6 = cli("run", "-d", "--name", "s6", "--network", "rn6", "--ip6", "fd00:77::50", "busybox", "httpd", "-f", "-p", "80", "-h", "/etc");
        assertThat(s6.code()).as(s6.err()).isZero();
        assertThat(cli("inspect", "-f", "{{.NetworkSettings.Networks.rn6.GlobalIPv6Address}}/{{.NetworkSettings.Networks.rn6.GlobalIPv6PrefixLen}}", "s6").out())
                .isEqualTo("fd00:77::50/64\n");
        // httpd may not listen yet when the peer starts: the peer tries for up to 10 s
        Result peer = cli("run", "--rm", "--network", "rn6", "busybox", "sh", "-c",
                "ip -6 addr show eth0; for i in $(seq 100); do busybox timeout 3 busybox wget -q -O- 'http://[fd00:77::50]/hostname' && exit 0; sleep 0.1; done; exit 1");
        assertThat(peer.code()).as(peer.out() + peer.err()).isZero();
        assertThat(peer.out()).contains("inet6 fd00:77::").endsWith(s6.out().strip().substring(0, 12) + "\n");
        assertThat(cli("rm", "-f", "s6").code()).isZero();
        awaitNoLeftovers();
        assertThat(cli("network", "rm", "rn6").code()).isZero();
        assertThat(networks().resolve("endpoints")).isEmptyDirectory();
    }

    /**
     * A crash: the CLI's JVM is killed with SIGKILL while its container runs on the network (no
     * shutdown hook, no release) — as docker's client, ./jcontainer run leaves its container running
     * when it dies, and the endpoint stays the running container's — then the container's monitor
     * too, whose death takes the container with it (PDEATHSIG). Left behind: the endpoint, the /etc files, the container's pasta and the holder
     * with its namespaces. The next start of any container sweeps them all.
     */
    @Test
    void aKilledJvmsContainerHolderAndPastaAreSweptByTheNextStart() throws Exception {
        assertThat(cli("network", "create", "rn1").code()).isZero();
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + netns));
        cmd.addAll(user.command(home, List.of("XDG_RUNTIME_DIR=" + xdg), "run", "--network", "rn1", "busybox", "sleep", "600"));
        Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ProcessHandle payload;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((payload = payload()) == null && System.nanoTime() < deadline) Thread.sleep(100);
            assertThat(payload).as("the container runs").isNotNull();
            awaitLeftovers(2); // its pasta and the holder
            // nsenter, setpriv, env and ./jcontainer exec one another: the process is the JVM
            assertThat(jvm.toHandle().info().command().orElse("")).endsWith("/java");
            assertThat(JcUser.sh("kill", "-9", Long.toString(jvm.pid())).code()).isZero();
            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            jvm.destroyForcibly();
        }
        ProcessHandle monitor = payload.parent().orElseThrow();
        assertThat(JcUser.sh("kill", "-9", Long.toString(monitor.pid())).code()).isZero();
        assertThat(payload.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
        assertThat(leftovers()).hasSize(2);
        assertThat(networks().resolve("endpoints")).isNotEmptyDirectory();

        Result next = cli("run", "--rm", "busybox", "true");
        assertThat(next.code()).as(next.err()).isZero();
        awaitNoLeftovers();
        assertThat(networks().resolve("endpoints")).isEmptyDirectory();
        assertThat(networks().resolve("etc")).isEmptyDirectory();
        assertThat(networks().resolve("rootless/holder.sock")).doesNotExist();
        assertThat(cli("network", "rm", "rn1").code()).isZero();
    }

    /** The container's first process: {@code busybox sleep 600} of the test's user. */
    ProcessHandle payload() {
        return ProcessHandle.allProcesses().filter(p -> p.info().user().orElse("").equals(JcUser.NAME)
                && p.info().command().orElse("").endsWith("/busybox") // not the JVM, whose arguments end so too
                && p.info().commandLine().orElse("").endsWith(" sleep 600")).findFirst().orElse(null);
    }

    void awaitLeftovers(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (leftovers().size() != n && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(leftovers()).hasSize(n);
    }

    void awaitNoLeftovers() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!leftovers().isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(leftovers()).isEmpty();
    }
}
