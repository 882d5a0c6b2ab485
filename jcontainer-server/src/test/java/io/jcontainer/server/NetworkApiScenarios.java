package io.jcontainer.server;

import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.ListQuery;
import io.jcontainer.oci.testing.TestImage;
import io.jcontainer.spi.ContainerRuntime;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The API server's network scenarios, run by {@link NetworkApiTest} in a JVM of its own started
 * under {@code unshare --net}: the server, the docker CLI and docker-compose all live in that
 * private network namespace, so every bridge, veth, address and nftables rule is made there and
 * goes with it; traffic goes only to loopback and to the containers started here (rule 9).
 * {@code NetworkApiScenarios SCENARIO WORKDIR}; exit 0 and "PASSED SCENARIO" = passed.
 */
public final class NetworkApiScenarios {
    static final String IMAGE = "localhost/net/busybox:1";
    private final Path work;
    private final Containers containers;
    private final Images images;
    private final ApiServer server;
    private final DockerCli docker;
    private final Map<String, String> env;

    private NetworkApiScenarios(Path work) throws Exception {
        this.work = work;
        this.containers = ContainerRuntime.get().containers(Files.createDirectories(work.resolve("containers")));
        this.images = Images.open(ImagesOptions.defaults().withStorageRoot(work.resolve("store")).withDockerConfig(work.resolve("auth.json")));
        images.load(TestImage.busybox("served").writeArchive(work.resolve("img.tar"), IMAGE));
        Path sock = work.resolve("docker.sock");
        this.server = ApiServer.builder().unixSocket(sock).containers(containers).images(images).start();
        this.env = Map.of("DOCKER_HOST", "unix://" + sock, "DOCKER_CONFIG", Files.createDirectories(work.resolve("config")).toString());
        this.docker = new DockerCli(env);
    }

    public static void main(String[] args) throws Exception {
        String outer = System.getProperty("jcontainer.test.outerNetns");
        String mine = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        if (outer == null || outer.equals(mine))
            throw new IllegalStateException("refusing to run network scenarios in " + mine + ", the starting JVM's network namespace: run under unshare --net");
        run("/bin/busybox", "ip", "link", "set", "lo", "up");
        Throwable failed = null;
        NetworkApiScenarios s = null;
        try {
            s = new NetworkApiScenarios(Path.of(args[1]));
            switch (args[0]) {
                case "verbs" -> s.verbs();
                case "compose" -> s.compose();
                case "testcontainers" -> s.testcontainers();
                case "issue-list" -> s.issueList();
                case "default-network" -> s.defaultNetwork();
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (Throwable t) {
            failed = t;
        } finally {
            if (s != null) try {
                s.removeEverything();
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

    /** docker network create/ls/inspect/connect/disconnect/rm/prune through the API, and run --network with an alias. */
    void verbs() throws Exception {
        String id = ok(docker.run("network", "create", "--subnet", "10.97.0.0/24", "--label", "team=a", "front")).strip();
        check(id.matches("[0-9a-f]{64}"), "create prints the id: " + id);
        ok(docker.run("network", "create", "--internal", "back"));
        var dup = docker.run("network", "create", "front");
        check(dup.exit() != 0 && dup.err().contains("network with name front already exists"), "duplicate: " + dup);
        check(ok(docker.run("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Internal}}")).lines().sorted().toList()
                .equals(List.of("back bridge true", "bridge bridge false", "front bridge false")), "ls");
        check(ok(docker.run("network", "ls", "-q", "--filter", "label=team=a")).equals(id.substring(0, 12) + "\n"), "ls -q --filter label=");
        check(ok(docker.run("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Labels.team}}", "front")).equals("10.97.0.0/24 a\n"),
                "inspect -f");
        var missing = docker.run("network", "inspect", "nope");
        check(missing.exit() != 0 && missing.err().contains("nope"), "inspect of a missing one: " + missing);

        ok(docker.run("run", "-d", "--name", "web", "--network", "front", "--network-alias", "api", IMAGE,
                "-c", "exec busybox httpd -f -p 80 -h /etc"));
        String ip = ok(docker.run("inspect", "-f", "{{.NetworkSettings.Networks.front.IPAddress}}", "web")).strip();
        check(ip.startsWith("10.97.0."), "an address on front: " + ip);
        check(ok(docker.run("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}", "front")).equals("web " + ip + "/24\n"),
                "inspect lists the container by name");
        awaitHttpd("web");
        String got = ok(docker.run("run", "--rm", "--network", "front", IMAGE, "-c", "busybox timeout 5 busybox wget -q -O - http://api/marker"));
        check(got.equals("served"), "another container reaches it by its alias: " + got);
        var busy = docker.run("network", "rm", "front");
        check(busy.exit() != 0 && busy.err().contains("active endpoints"), "rm while in use: " + busy);

        ok(docker.run("network", "connect", "--alias", "web2", "back", "web"));
        String backIp = ok(docker.run("inspect", "-f", "{{.NetworkSettings.Networks.back.IPAddress}}", "web")).strip();
        check(!backIp.isEmpty(), "connected to back");
        String viaBack = ok(docker.run("run", "--rm", "--network", "back", IMAGE, "-c", "busybox timeout 5 busybox wget -q -O - http://web2/marker"));
        check(viaBack.equals("served"), "reached on back by the connect's alias: " + viaBack);
        ok(docker.run("network", "disconnect", "back", "web"));
        check(ok(docker.run("inspect", "-f", "{{len .NetworkSettings.Networks}}", "web")).equals("1\n"), "disconnected from back");

        // a created container joins networks connected before its start
        ok(docker.run("create", "--name", "late", "--network", "front", IMAGE, "-c", "exec sleep 600"));
        ok(docker.run("network", "connect", "back", "late"));
        ok(docker.run("start", "late"));
        check(ok(docker.run("inspect", "-f", "{{len .NetworkSettings.Networks}}", "late")).equals("2\n"), "late is on front and back");

        ok(docker.run("rm", "-f", "web", "late"));
        check(ok(docker.run("network", "rm", "front")).equals("front\n"), "rm prints the name");
        // label filters (Testcontainers prunes its session's networks so): only what matches goes
        ok(docker.run("network", "create", "--label", "session=a", "mine"));
        ok(docker.run("network", "create", "--label", "session=b", "theirs"));
        check(ok(docker.run("network", "prune", "-f", "--filter", "label=session=a")).equals("Deleted Networks:\nmine\n\n"),
                "prune --filter label=session=a removes only mine");
        check(ok(docker.run("network", "prune", "-f", "--filter", "label!=session")).equals("Deleted Networks:\nback\n\n"),
                "prune --filter label!=session removes the unlabelled back");
        var until = docker.run("network", "prune", "-f", "--filter", "until=1h");
        check(until.exit() != 0 && until.err().contains("until"), "an unsupported filter is refused, not ignored: " + until);
        check(ok(docker.run("network", "prune", "-f")).equals("Deleted Networks:\ntheirs\n\n"), "prune removes theirs");
        check(ok(docker.run("network", "ls", "--format", "{{.Name}}")).equals("bridge\n"), "only the default is left");

        // IPv6: EnableIPv6 with an IPv6 IPAM config (the IPv4 subnet picked), --ip6 through EndpointsConfig
        ok(docker.run("network", "create", "--ipv6", "--subnet", "fd00:9::/64", "six"));
        String six = ok(docker.run("network", "inspect", "-f", "{{.EnableIPv6}} {{range .IPAM.Config}}{{.Subnet}},{{.Gateway}} {{end}}", "six"));
        check(six.startsWith("true ") && six.contains("fd00:9::/64,fd00:9::1"), "network inspect with IPv6: " + six);
        ok(docker.run("run", "-d", "--name", "web6", "--network", "six", "--ip6", "fd00:9::9", IMAGE, "-c", "exec busybox httpd -f -p 80 -h /etc"));
        String v6 = ok(docker.run("inspect", "-f", "{{.NetworkSettings.Networks.six.GlobalIPv6Address}}/{{.NetworkSettings.Networks.six.GlobalIPv6PrefixLen}} "
                + "{{.NetworkSettings.Networks.six.IPv6Gateway}}", "web6"));
        check(v6.equals("fd00:9::9/64 fd00:9::1\n"), "container inspect with IPv6: " + v6);
        awaitHttpd("web6");
        String over6 = ok(docker.run("run", "--rm", "--network", "six", IMAGE, "-c", "busybox timeout 5 busybox wget -q -O - 'http://[fd00:9::9]:80/marker'"));
        check(over6.equals("served"), "another container fetches over IPv6: " + over6);
        ok(docker.run("rm", "-f", "web6"));
        ok(docker.run("network", "rm", "six"));
    }

    /**
     * dockerd's default network, with the service left to choose it (no
     * {@code JCONTAINER_DEFAULT_NETWORK}; this JVM is root): a container created without a network
     * mode is on the default bridge — an address there, reached by another such container, shown
     * as {@code bridge} by inspect and by the container list — and {@code -p} publishes through
     * it; {@code --network none} still gives loopback only, shown as {@code none}.
     */
    void defaultNetwork() throws Exception {
        check(System.getenv("JCONTAINER_DEFAULT_NETWORK") == null && System.getProperty("jcontainer.defaultNetwork") == null,
                "the service chooses its own default here");
        ok(docker.run("run", "-d", "--name", "web", IMAGE, "-c", "exec busybox httpd -f -p 80 -h /etc"));
        String ip = ok(docker.run("inspect", "-f", "{{.HostConfig.NetworkMode}} {{.NetworkSettings.Networks.bridge.IPAddress}} {{.NetworkSettings.IPAddress}}",
                "web")).strip();
        String[] f = ip.split(" ");
        check(f.length == 3 && f[0].equals("bridge") && !f[1].isEmpty() && f[1].equals(f[2]), "inspect: on the default bridge with an address: " + ip);
        check(ok(docker.run("ps", "--filter", "name=web", "--format", "{{.Names}} {{.Networks}}")).equals("web bridge\n"), "ps shows the bridge");
        String fetched = ok(docker.run("run", "--rm", IMAGE, "-c", "busybox timeout 5 busybox wget -q -O - http://" + f[1] + "/marker"));
        check(fetched.equals("served"), "another container on the default network reaches it: " + fetched);

        ok(docker.run("run", "-d", "--name", "pub", "-p", "127.0.0.1::80", IMAGE, "-c", "exec busybox httpd -f -p 80 -h /etc"));
        String port = ok(docker.run("port", "pub", "80/tcp")).strip();
        check(port.startsWith("127.0.0.1:"), "port: " + port);
        check(get(Integer.parseInt(port.substring(port.lastIndexOf(':') + 1))).equals("served"), "the published port serves on loopback");

        ok(docker.run("create", "--name", "quiet", "--network", "none", IMAGE, "-c", "busybox ls /sys/class/net"));
        check(ok(docker.run("ps", "-a", "--filter", "name=quiet", "--format", "{{.Names}} {{.Networks}}")).equals("quiet none\n"), "a created none container");
        ok(docker.run("start", "quiet"));
        ok(docker.run("wait", "quiet"));
        check(ok(docker.run("logs", "quiet")).equals("lo\n"), "none: loopback only");
        check(ok(docker.run("inspect", "-f", "{{.HostConfig.NetworkMode}} {{len .NetworkSettings.Networks}} {{.NetworkSettings.Networks.none.IPAddress}}|",
                "quiet")).equals("none 1 |\n"), "inspect of a none container");
        ok(docker.run("rm", "-f", "web", "pub", "quiet"));
    }

    /**
     * Issue 16's list with Debian's docker CLI, once over the unix socket and once over TLS TCP on
     * loopback (client certificates): run --rm, run -d -p (the port reached, ps showing it), ps,
     * logs -f, exec -it through a pty, attach, stop, rm, build -t, push, rmi, pull, images,
     * save | load, network create, volume create, events, inspect, cp, stats --no-stream. The
     * registry is a docker-registry on loopback in this namespace.
     */
    void issueList() throws Exception {
        TestCerts certs = TestCerts.make(work.resolve("certs"));
        try (io.jcontainer.oci.testing.LocalRegistry registry = io.jcontainer.oci.testing.LocalRegistry.start();
             ApiServer tls = ApiServer.builder().noUnixSocket().tcp("127.0.0.1", 0).tls(certs.ca, certs.serverCert, certs.serverKey)
                     .containers(containers).images(images).start()) {
            Map<String, DockerCli> clients = new java.util.LinkedHashMap<>();
            clients.put("unix", docker);
            clients.put("tls", new DockerCli(Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + tls.tcpAddress().orElseThrow().getPort(),
                    "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", certs.ca.getParent().toString(), "DOCKER_CONFIG", env.get("DOCKER_CONFIG"))));
            int port = 19500;
            for (var e : clients.entrySet()) {
                String t = e.getKey(), n = "-" + t;
                DockerCli d = e.getValue();
                port++;
                check(ok(d.run("run", "--rm", IMAGE, "-c", "echo hello")).equals("hello\n"), t + ": run --rm");

                ok(d.run("run", "-d", "--name", "web" + n, "-p", "127.0.0.1:" + port + ":80", IMAGE, "-c", "exec busybox httpd -f -p 80 -h /etc"));
                check(get(port).equals("served"), t + ": the published port serves on loopback");
                String ps = ok(d.run("ps", "--format", "{{.Names}}|{{.Ports}}|{{.Status}}"));
                check(ps.contains("web" + n + "|127.0.0.1:" + port + "->80/tcp|Up "), t + ": ps shows the published port: " + ps);
                check(ok(d.run("ps")).contains("127.0.0.1:" + port + "->80/tcp"), t + ": ps's table too");
                check(ok(d.run("inspect", "-f", "{{.State.Running}} {{(index (index .NetworkSettings.Ports \"80/tcp\") 0).HostPort}}", "web" + n))
                        .equals("true " + port + "\n"), t + ": inspect");

                ok(d.run("run", "-d", "--name", "talk" + n, IMAGE, "-c", "echo a; sleep 1; echo b"));
                check(ok(d.run("logs", "-f", "talk" + n)).equals("a\nb\n"), t + ": logs -f follows to the end");

                var exec = d.run("typed\n".getBytes(StandardCharsets.UTF_8), "@script", "exec -it web" + n + " sh -c 'read l; echo got $l; exit 3'");
                check(exec.out().contains("got typed\r\n") && exec.exit() == 3, t + ": exec -it through a pty: " + exec);

                ok(d.run("run", "-d", "--name", "ticker" + n, IMAGE, "-c", "while true; do echo tick; sleep 0.2; done"));
                Process attach = d.start("attach", "--no-stdin", "ticker" + n);
                try (var in = attach.getInputStream()) {
                    check(new String(in.readNBytes(5), StandardCharsets.UTF_8).equals("tick\n"), t + ": attach streams the output");
                } finally {
                    attach.destroyForcibly().waitFor();
                }
                check(ok(d.run("stop", "-t", "1", "ticker" + n)).equals("ticker" + n + "\n"), t + ": stop");
                check(ok(d.run("rm", "ticker" + n, "talk" + n)).equals("ticker" + n + "\ntalk" + n + "\n"), t + ": rm");

                Path ctx = Files.createDirectories(work.resolve("ctx" + n));
                Files.writeString(ctx.resolve("hello.txt"), "built over " + t + "\n");
                Files.writeString(ctx.resolve("Dockerfile"), "FROM " + IMAGE + "\nCOPY hello.txt /hello.txt\nCMD [\"-c\", \"cat /hello.txt\"]\n");
                String built = registry.host() + "/list/app" + n + ":1";
                ok(d.run("build", "-t", built, ctx.toString()));
                ok(d.run("push", built));
                ok(d.run("rmi", built));
                check(ok(d.run("pull", built)).contains("Downloaded newer image for " + built), t + ": pull");
                check(ok(d.run("images", "--format", "{{.Repository}}:{{.Tag}}")).contains(built + "\n"), t + ": images");
                var saved = d.shell("/usr/bin/docker save " + built + " > " + work.resolve("saved" + n + ".tar")
                        + " && /usr/bin/docker rmi " + built + " >/dev/null && /usr/bin/docker save " + IMAGE + " | /usr/bin/docker load && cat "
                        + work.resolve("saved" + n + ".tar") + " | /usr/bin/docker load");
                check(saved.exit() == 0 && saved.out().contains("Loaded image: " + built), t + ": save | load: " + saved);
                check(ok(d.run("run", "--rm", built)).equals("built over " + t + "\n"), t + ": run of the built, pushed, pulled, saved and loaded image");
                ok(d.run("rmi", built));

                ok(d.run("network", "create", "net" + n));
                check(ok(d.run("network", "inspect", "-f", "{{.Driver}}", "net" + n)).equals("bridge\n"), t + ": network create");
                ok(d.run("network", "rm", "net" + n));
                check(ok(d.run("volume", "create", "vol" + n)).equals("vol" + n + "\n"), t + ": volume create");
                ok(d.run("run", "--rm", "-v", "vol" + n + ":/data", IMAGE, "-c", "echo kept > /data/note"));
                check(ok(d.run("run", "--rm", "-v", "vol" + n + ":/data", IMAGE, "-c", "cat /data/note")).equals("kept\n"), t + ": the volume keeps");
                ok(d.run("volume", "rm", "vol" + n));

                long since = System.currentTimeMillis() / 1000 - 1;
                ok(d.run("run", "--rm", "--name", "ev" + n, IMAGE, "-c", "true"));
                long until = System.currentTimeMillis() / 1000 + 1;
                String events = ok(d.run("events", "--since", String.valueOf(since), "--until", String.valueOf(until), "--filter", "container=ev" + n,
                        "--format", "{{.Action}}"));
                check(events.lines().toList().containsAll(List.of("create", "start")), t + ": events: " + events);

                Path src = Files.writeString(work.resolve("cp-in" + n + ".txt"), "copied over " + t + "\n");
                ok(d.run("cp", src.toString(), "web" + n + ":/tmp/in.txt"));
                check(ok(d.run("exec", "web" + n, "cat", "/tmp/in.txt")).equals("copied over " + t + "\n"), t + ": cp in");
                Path back = work.resolve("cp-out" + n + ".txt");
                ok(d.run("cp", "web" + n + ":/tmp/in.txt", back.toString()));
                check(Files.readString(back).equals("copied over " + t + "\n"), t + ": cp out");

                String stats = ok(d.run("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "web" + n));
                check(stats.matches("web" + n + " [1-9][0-9]*\n"), t + ": stats --no-stream: " + stats);
                ok(d.run("rm", "-f", "web" + n));
            }
        }
    }

    /**
     * docker-compose (Debian's 1.29) up -d, ps and down of a two-service file: a user network,
     * a published port on loopback, the client reaching the server by its service name.
     */
    void compose() throws Exception {
        int port = 19000 + (int) (ProcessHandle.current().pid() % 1000);
        Path dir = Files.createDirectories(work.resolve("app"));
        Files.writeString(dir.resolve("docker-compose.yml"), """
                version: "3.7"
                services:
                  web:
                    image: %s
                    command: ["-c", "exec busybox httpd -f -p 80 -h /etc"]
                    ports: ["127.0.0.1:%d:80"]
                    networks: [front]
                  client:
                    image: %s
                    command: ["-c", "exec sleep 600"]
                    networks: [front]
                    depends_on: [web]
                networks:
                  front: {}
                """.formatted(IMAGE, port, IMAGE));
        ok(compose(dir, "up", "-d"));
        String ps = ok(compose(dir, "ps"));
        check(ps.contains("jcdemo_web_1") && ps.contains("jcdemo_client_1") && ps.contains("Up"), "ps: " + ps);
        check(ps.contains("127.0.0.1:" + port + "->80/tcp"), "ps shows the published port: " + ps);
        check(ok(docker.run("network", "ls", "--format", "{{.Name}}")).contains("jcdemo_front\n"), "compose's network");
        awaitHttpd("jcdemo_web_1");
        // compose's exec -T half-closes the connection once its stdin ends (here /dev/null: at once); the
        // output still comes
        String byName = ok(compose(dir, "exec", "-T", "client", "busybox", "timeout", "5", "busybox", "wget", "-q", "-O", "-", "http://web/marker"));
        check(byName.equals("served"), "client reaches web by its service name: " + byName);
        // ... and the container reads the end of a file given as stdin
        Path input = Files.writeString(work.resolve("input.txt"), "one\ntwo\n");
        String piped = ok(compose(dir, input, "exec", "-T", "client", "sh", "-c", "cat; echo after-eof"));
        check(piped.equals("one\ntwo\nafter-eof\n"), "exec -T < file: " + piped);
        check(get(port).equals("served"), "the published port serves on loopback");
        ok(compose(dir, "down"));
        check(containers.list(ListQuery.ALL).isEmpty(), "down removed the containers");
        check(ok(docker.run("network", "ls", "--format", "{{.Name}}")).equals("bridge\n"), "down removed the network");
    }

    /**
     * Testcontainers 1.21, unchanged (DOCKER_HOST at this server, Ryuk off: set by NetworkApiTest): a
     * {@code Network} whose member is reached by its alias from another member, a wait on an HTTP port
     * published to a random host port, and the JVM-exit clean-up Testcontainers does without Ryuk (prunes
     * by its session's label), run here before the server goes.
     */
    void testcontainers() throws Exception {
        String sock = System.getenv("DOCKER_HOST");
        check(sock != null && sock.equals("unix://" + work.resolve("docker.sock")), "DOCKER_HOST is this scenario's server: " + sock);
        try (org.testcontainers.containers.Network net = org.testcontainers.containers.Network.newNetwork();
             var web = new org.testcontainers.containers.GenericContainer<>(org.testcontainers.utility.DockerImageName.parse(IMAGE))
                     .withCommand("-c", "exec busybox httpd -f -p 80 -h /etc")
                     .withNetwork(net).withNetworkAliases("api")
                     .withExposedPorts(80)
                     .waitingFor(org.testcontainers.containers.wait.strategy.Wait.forHttp("/marker").forStatusCode(200));
             var client = new org.testcontainers.containers.GenericContainer<>(org.testcontainers.utility.DockerImageName.parse(IMAGE))
                     .withCommand("-c", "exec sleep 600").withNetwork(net)) {
            web.start();
            client.start();
            int port = web.getMappedPort(80);
            check(get(port).equals("served"), "the HTTP port, published to host port " + port + ", serves");
            var r = client.execInContainer("busybox", "timeout", "5", "busybox", "wget", "-q", "-O", "-", "http://api/marker");
            check(r.getExitCode() == 0 && r.getStdout().equals("served"), "reached by the network alias: " + r.getStdout() + r.getStderr());
        }
        // a network of the session left behind (a test that never closed it): the JVM-exit clean-up prunes it by label
        org.testcontainers.containers.Network.newNetwork().getId();
        check(ok(docker.run("network", "ls", "--format", "{{.Name}}")).lines().count() == 2, "the left network exists");
        org.testcontainers.utility.ResourceReaper.instance().performCleanup();
        check(ok(docker.run("network", "ls", "--format", "{{.Name}}")).equals("bridge\n"), "the clean-up pruned the session's network");
        check(containers.list(ListQuery.ALL).isEmpty(), "no container left");
    }

    /**
     * Waits until {@code container}'s httpd answers on its own loopback: run -d (and compose up -d)
     * return once it runs, not once it listens, and a fetch from another container must not race it.
     */
    private void awaitHttpd(String container) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        DockerCli.Result r;
        while ((r = docker.run("exec", container, "busybox", "wget", "-q", "-O", "-", "http://127.0.0.1/marker")).exit() != 0
                && System.nanoTime() < end) Thread.sleep(100);
        check(ok(r).equals("served"), container + "'s httpd serves on its loopback");
    }

    private DockerCli.Result compose(Path dir, String... args) throws Exception {
        return compose(dir, Path.of("/dev/null"), args);
    }

    private DockerCli.Result compose(Path dir, Path stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/docker-compose", "--ansi", "never", "-p", "jcdemo"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_") || k.startsWith("COMPOSE_"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile(work, "out", ".txt"), err = Files.createTempFile(work, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(stdin.toFile())).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("docker-compose " + String.join(" ", args) + " did not finish within 120 s: " + Files.readString(err));
        }
        return new DockerCli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String get(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/marker")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw last;
    }

    private void removeEverything() throws Exception {
        try {
            for (var c : containers.list(ListQuery.ALL)) {
                try {
                    containers.remove(c.id(), true, false);
                } catch (RuntimeException gone) {
                    // removed meanwhile
                }
            }
            for (var n : containers.networks().list())
                if (!n.name().equals("bridge")) containers.networks().remove(n.name());
        } finally {
            server.close();
            images.close();
        }
    }

    private static String ok(DockerCli.Result r) {
        if (r.exit() != 0) throw new AssertionError(r.toString());
        return r.out();
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " failed");
    }
}
