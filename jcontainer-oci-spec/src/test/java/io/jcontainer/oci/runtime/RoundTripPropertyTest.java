package io.jcontainer.oci.runtime;

import io.jcontainer.oci.runtime.testing.RuntimeSchema;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.Capability;
import io.jcontainer.ContainerSpec;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-style: varied configs made from a seeded generator, each read, written back against
 * itself (must be unchanged), written alone (must validate against the schema and read back to
 * the same spec). A failure names the seed and the document.
 */
class RoundTripPropertyTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final Path BUNDLE = Path.of("/bundle");
    static final int CASES = 400;

    @Test
    void generatedConfigsRoundTrip() throws Exception {
        for (int seed = 0; seed < CASES; seed++) {
            ObjectNode doc = generate(new Random(seed));
            String where = "seed " + seed + ": " + doc.toPrettyString();
            OciConfig base = OciConfig.of(doc);
            assertThat(RuntimeSchema.configErrors(doc)).as(where).isEmpty();
            ContainerSpec spec = SpecConv.toSpec(base, BUNDLE);

            JsonNode again = JSON.readTree(SpecConv.toConfig(spec, BUNDLE, base).config().toJson());
            assertThat(again).as(where).isEqualTo(JSON.readTree(base.toJson()));

            SpecConv.Exported alone = SpecConv.toConfig(spec, BUNDLE, null);
            assertThat(RuntimeSchema.configErrors(alone.config().tree())).as(where).isEmpty();
            assertThat(SpecConv.read(alone.config(), BUNDLE, alone.extras()).spec()).as(where).isEqualTo(spec);

            // a change written against the base shows, and nothing else moves
            ContainerSpec changed = withProcess(spec, spec.process().withArgs(List.of("/changed", "arg" + seed)).withNoNewPrivileges(!spec.noNewPrivileges()));
            OciConfig written = SpecConv.toConfig(changed, BUNDLE, base).config();
            assertThat(SpecConv.toSpec(written, BUNDLE)).as(where).isEqualTo(changed);
            ObjectNode expect = (ObjectNode) JSON.readTree(base.toJson()), got = (ObjectNode) JSON.readTree(written.toJson());
            ((ObjectNode) expect.get("process")).remove(List.of("args", "noNewPrivileges"));
            ((ObjectNode) got.get("process")).remove(List.of("args", "noNewPrivileges"));
            assertThat(got).as(where).isEqualTo(expect);
        }
    }

    static ContainerSpec withProcess(ContainerSpec s, io.jcontainer.ProcessSpec p) {
        return new ContainerSpec(s.name(), p, s.root(), s.mounts(), s.hostname(), s.domainname(), s.linux(), s.hooks(), s.annotations(),
                s.network(), s.stdin(), s.stdout(), s.stderr(), s.detached(), s.init(), s.restartPolicy(), s.stopSignal());
    }

    static <T> T pick(Random r, List<T> l) {
        return l.get(r.nextInt(l.size()));
    }

    static ObjectNode generate(Random r) {
        ObjectNode d = F.objectNode().put("ociVersion", pick(r, List.of("1.0.2", "1.1.0", "1.2.0")));
        if (r.nextInt(4) == 0) d.put("x-unknown-" + r.nextInt(100), r.nextInt());
        ObjectNode p = d.putObject("process");
        if (r.nextBoolean()) p.put("terminal", r.nextBoolean());
        if (r.nextInt(4) == 0) p.putObject("consoleSize").put("height", 1 + r.nextInt(200)).put("width", 1 + r.nextInt(300));
        ObjectNode u = p.putObject("user").put("uid", r.nextInt(3) == 0 ? 0 : r.nextInt(70000)).put("gid", r.nextInt(3) == 0 ? 0 : r.nextInt(70000));
        if (r.nextBoolean()) u.put("umask", r.nextInt(0777));
        if (r.nextBoolean()) {
            ArrayNode g = u.putArray("additionalGids");
            for (int i = r.nextInt(4); i > 0; i--) g.add(r.nextInt(1000));
        }
        ArrayNode args = p.putArray("args");
        args.add(pick(r, List.of("sh", "/bin/true", "/usr/bin/env")));
        for (int i = r.nextInt(4); i > 0; i--) args.add(pick(r, List.of("-c", "echo hi", "", "ünïcode", "a b", "--x=y")));
        if (r.nextBoolean()) {
            ArrayNode env = p.putArray("env");
            List<String> used = new ArrayList<>();
            for (int i = r.nextInt(5); i > 0; i--) {
                String k = pick(r, List.of("PATH", "TERM", "A", "LANG", "X_Y"));
                if (used.contains(k)) continue;
                used.add(k);
                env.add(k + "=" + pick(r, List.of("", "1", "/bin:/usr/bin", "a=b", "spaces here")));
            }
        }
        p.put("cwd", pick(r, List.of("/", "/work", "/tmp/x")));
        if (r.nextInt(5) != 0) {
            ObjectNode c = p.putObject("capabilities");
            List<Capability> all = List.of(Capability.values());
            List<String> b = caps(r, all);
            set(c, "bounding", b);
            List<String> perm = sub(r, b), inh = sub(r, b);
            if (r.nextBoolean()) set(c, "effective", sub(r, perm));
            if (r.nextBoolean()) set(c, "inheritable", inh);
            set(c, "permitted", perm);
            if (r.nextBoolean() && c.has("inheritable")) set(c, "ambient", perm.stream().filter(inh::contains).toList());
        }
        if (r.nextBoolean()) {
            ArrayNode rl = p.putArray("rlimits");
            List<String> used = new ArrayList<>();
            for (int i = 1 + r.nextInt(3); i > 0; i--) {
                String t = pick(r, List.of("RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_CORE", "RLIMIT_STACK", "RLIMIT_AS"));
                if (used.contains(t)) continue;
                used.add(t);
                long soft = r.nextInt(100000);
                ObjectNode x = rl.addObject().put("type", t);
                if (r.nextInt(3) == 0) x.put("hard", new BigInteger("18446744073709551615")); else x.put("hard", soft + r.nextInt(1000));
                x.put("soft", soft);
            }
        }
        if (r.nextBoolean()) p.put("noNewPrivileges", r.nextBoolean());
        if (r.nextInt(4) == 0) p.put("oomScoreAdj", r.nextInt(2001) - 1000);

        ObjectNode root = d.putObject("root").put("path", pick(r, List.of("rootfs", "/srv/rootfs", "./x/../rootfs")));
        if (r.nextBoolean()) root.put("readonly", r.nextBoolean());
        boolean uts = r.nextBoolean();
        if (uts && r.nextBoolean()) d.put("hostname", pick(r, List.of("box", "a-b.example", "h1")));
        if (uts && r.nextInt(4) == 0) d.put("domainname", "example.org");

        ArrayNode mounts = d.putArray("mounts");
        if (r.nextBoolean()) {
            mounts.addObject().put("destination", "/proc").put("type", "proc").put("source", "proc");
            mounts.addObject().put("destination", "/dev").put("type", "tmpfs").put("source", "tmpfs")
                    .set("options", strings("nosuid", "strictatime", "mode=755", "size=65536k"));
        }
        for (int i = r.nextInt(4); i > 0; i--) {
            ObjectNode m = mounts.addObject().put("destination", "/m" + i);
            switch (r.nextInt(3)) {
                case 0 -> m.put("type", "bind").put("source", "/tmp").set("options", strings(pick(r, List.of("rbind", "bind")), pick(r, List.of("ro", "rw")), pick(r, List.of("rslave", "rprivate", "nosuid"))));
                case 1 -> m.put("type", "tmpfs").put("source", "tmpfs").set("options", strings("size=" + r.nextInt(100) + "k", "mode=755"));
                default -> {
                    m.put("type", "tmpfs");
                    if (r.nextBoolean()) m.put("x-unknown", "kept");
                }
            }
        }
        if (r.nextBoolean() && mounts.isEmpty()) d.remove("mounts");

        ObjectNode l = d.putObject("linux");
        ArrayNode ns = l.putArray("namespaces");
        List<String> types = new ArrayList<>(List.of("pid", "network", "ipc", "uts", "user", "cgroup"));
        java.util.Collections.shuffle(types, r);
        ns.addObject().put("type", "mount");
        boolean user = false;
        for (String t : types.subList(0, r.nextInt(types.size() + 1))) {
            if (t.equals("uts") != uts && t.equals("uts")) continue;
            ObjectNode n = ns.addObject().put("type", t);
            if (t.equals("network") && r.nextInt(3) == 0) n.put("path", "/run/netns/n" + r.nextInt(9));
            if (t.equals("user")) user = true;
        }
        if (uts && !types.subList(0, 0).contains("uts") && ns.findValuesAsText("type").stream().noneMatch("uts"::equals)) ns.addObject().put("type", "uts");
        if (user && r.nextBoolean()) {
            l.putArray("uidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
            l.putArray("gidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
        }
        ObjectNode res = l.putObject("resources");
        res.putArray("devices").addObject().put("allow", false).put("access", "rwm");
        if (r.nextBoolean()) {
            ObjectNode m = res.putObject("memory").put("limit", (1 + r.nextInt(1000)) * 1048576L);
            if (r.nextBoolean()) m.put("swap", r.nextBoolean() ? -1 : (1001 + r.nextInt(1000)) * 1048576L);
            if (r.nextBoolean()) m.put("reservation", (1 + r.nextInt(500)) * 1048576L);
        }
        if (r.nextBoolean()) {
            ObjectNode c = res.putObject("cpu");
            if (r.nextBoolean()) c.put("shares", 2 + r.nextInt(2000));
            if (r.nextBoolean()) c.put("quota", 1000L * (1 + r.nextInt(400))).put("period", 100000);
            if (r.nextBoolean()) c.put("cpus", pick(r, List.of("0", "0-1", "0,1")));
            if (r.nextBoolean()) c.put("mems", "0");
        }
        if (r.nextBoolean()) res.putObject("pids").put("limit", 1 + r.nextInt(5000));
        if (r.nextBoolean()) {
            ObjectNode b = res.putObject("blockIO").put("weight", 10 + r.nextInt(991));
            if (r.nextBoolean()) b.putArray("throttleWriteIOPSDevice").addObject().put("major", 8).put("minor", r.nextInt(16)).put("rate", 1 + r.nextInt(10000));
        }
        if (r.nextBoolean() && types.contains("network")) l.putObject("sysctl").put("net.ipv4.ip_forward", "1");
        if (r.nextBoolean()) {
            ObjectNode s = l.putObject("seccomp").put("defaultAction", pick(r, List.of("SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", "SCMP_ACT_KILL_PROCESS")));
            if (r.nextBoolean()) s.set("architectures", strings("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"));
            ArrayNode sc = s.putArray("syscalls");
            for (int i = r.nextInt(4); i > 0; i--) {
                ObjectNode x = sc.addObject();
                x.set("names", strings(pick(r, List.of("read", "write", "openat", "clone"))));
                x.put("action", pick(r, List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_LOG", "SCMP_ACT_TRAP")));
                if (r.nextBoolean()) x.putArray("args").addObject().put("index", r.nextInt(6)).put("value", r.nextInt(100)).put("op", "SCMP_CMP_EQ");
            }
        }
        if (r.nextBoolean()) l.set("maskedPaths", strings("/proc/kcore", "/proc/keys"));
        if (r.nextBoolean()) l.set("readonlyPaths", strings("/proc/sys"));
        if (r.nextBoolean()) l.put("rootfsPropagation", pick(r, List.of("private", "slave", "shared", "unbindable")));
        if (r.nextInt(3) == 0) l.put("cgroupsPath", "/jc/c" + r.nextInt(100));
        if (r.nextInt(3) == 0) {
            ObjectNode h = d.putObject("hooks");
            for (String stage : List.of("prestart", "createRuntime", "poststop"))
                if (r.nextBoolean()) {
                    ObjectNode x = h.putArray(stage).addObject().put("path", "/usr/bin/hook");
                    if (r.nextBoolean()) x.set("args", strings("hook", stage));
                    if (r.nextBoolean()) x.put("timeout", 1 + r.nextInt(30));
                }
        }
        if (r.nextBoolean()) d.putObject("annotations").put("org.example/k" + r.nextInt(10), "v" + r.nextInt());
        return d;
    }

    static List<String> caps(Random r, List<Capability> all) {
        List<String> out = new ArrayList<>();
        for (Capability c : all) if (r.nextInt(3) == 0) out.add("CAP_" + c.name());
        return out;
    }

    static List<String> sub(Random r, List<String> l) {
        return l.stream().filter(x -> r.nextBoolean()).toList();
    }

    static void set(ObjectNode o, String k, List<String> l) {
        ArrayNode a = o.putArray(k);
        l.forEach(a::add);
    }

    static ArrayNode strings(String... s) {
        ArrayNode a = F.arrayNode();
        for (String x : s) a.add(x);
        return a;
    }
}
