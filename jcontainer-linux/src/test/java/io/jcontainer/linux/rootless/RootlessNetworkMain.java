package io.jcontainer.linux.rootless;

import io.jcontainer.Container;
import io.jcontainer.Stdio;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.net.NetworkAttachment;
import io.jcontainer.linux.net.Networks;
import io.jcontainer.linux.net.PortMapping;
import io.jcontainer.linux.sys.NativeSyscalls;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by {@link RootlessTest} as an unprivileged user, in a private network namespace the test
 * made (only loopback and a veth pair of its own with a default route, so pasta finds a
 * "routable" interface; nothing leaves that namespace). A container on the default network
 * through pasta serves busybox httpd on its port 80, published as {@code 127.0.0.1:PORT:80} and
 * fetched over this namespace's loopback; after close, no pasta is left. Exit 0 = passed.
 * Arguments: rootfs (a busybox root with /www/index.html), the host port, and the network
 * ({@code bridge}: pasta, the default helper here; {@code slirp4netns}: that helper, by name).
 */
public final class RootlessNetworkMain {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        String network = args.length > 2 ? args[2] : Networks.DEFAULT;
        String helper = network.equals(Networks.DEFAULT) ? "pasta" : network, marker = "served through " + helper;
        String outer = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        if (outer.equals(System.getProperty("jcontainer.test.outerNetns")))
            throw new IllegalStateException("refusing to run in the test JVM's network namespace " + outer);
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null,
                new io.jcontainer.linux.state.ContainerStore(Path.of(System.getProperty("java.io.tmpdir"), "jc-state", "containers")));
        var spec = Container.builder().rootfs(root).stdout(Stdio.NULL).stderr(Stdio.NULL)
                .command("/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www").build();
        var req = new NetworkAttachment.Request(network, null, List.of(), PortMapping.parse("127.0.0.1:" + port + ":80"), null, List.of(), List.of());
        long pastaPid;
        try (Container c = rt.start(spec, req)) {
            String got = "";
            for (long end = System.nanoTime() + 10_000_000_000L; !got.contains(marker) && System.nanoTime() < end; ) {
                got = get(port);
                if (!got.contains(marker)) Thread.sleep(100);
            }
            if (!got.contains(marker)) throw new AssertionError("not served through 127.0.0.1:" + port + ": " + got);
            Path pidFile = Path.of(System.getProperty("java.io.tmpdir"), "jc-state", "networks", helper, c.id() + ".pid");
            pastaPid = Long.parseLong(Files.readString(pidFile).strip().split(" ")[0]);
            if (ProcessHandle.of(pastaPid).isEmpty()) throw new AssertionError(helper + " " + pastaPid + " is not running");
            System.out.println(marker + " as uid " + new com.sun.security.auth.module.UnixSystem().getUid());
        }
        for (long end = System.nanoTime() + 5_000_000_000L; ProcessHandle.of(pastaPid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < end; )
            Thread.sleep(50);
        if (ProcessHandle.of(pastaPid).map(ProcessHandle::isAlive).orElse(false)) throw new AssertionError(helper + " " + pastaPid + " outlived the container");
        System.out.println("ALL PASSED");
        System.exit(0);
    }

    private static String get(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(3000);
            OutputStream o = s.getOutputStream();
            o.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return e.toString();
        }
    }
}
