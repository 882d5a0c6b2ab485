package io.jcontainer.oci.runtime;

import io.jcontainer.oci.runtime.testing.RuntimeSchema;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.Capability;
import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.DataSize;
import io.jcontainer.Hooks;
import io.jcontainer.Namespace;
import io.jcontainer.RestartPolicy;
import io.jcontainer.Root;
import io.jcontainer.Seccomp;
import io.jcontainer.Signal;
import io.jcontainer.Stdio;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpecConvTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path BUNDLE;

    @org.junit.jupiter.api.BeforeAll
    static void rootfs() throws Exception {
        Files.createDirectories(BUNDLE.resolve("rootfs"));
        for (String d : List.of("l1", "l2", "u", "w")) Files.createDirectories(BUNDLE.resolve(d));
    }

    /** Runs a peer's {@code spec} command in a fresh directory and returns its config.json. */
    static String peerSpec(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
        String json = Files.readString(dir.resolve("config.json"));
        Files.delete(dir.resolve("config.json"));
        return json;
    }

    static JsonNode tree(OciConfig c) throws Exception {
        return JSON.readTree(c.toJson()); // one number representation for both sides
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc spec", "runc spec --rootless", "crun spec", "crun spec --rootless"})
    void peersSpecOutputConvertsAndRoundTrips(String command, @TempDir Path dir) throws Exception {
        OciConfig base = OciConfig.parse(peerSpec(dir, command.split(" ")));
        SpecConv.Imported in = SpecConv.read(base, dir, null);
        ContainerSpec spec = in.spec();
        assertThat(spec.rootfs()).isEqualTo(dir.resolve("rootfs"));
        assertThat(spec.command()).containsExactly("sh");
        assertThat(spec.has(Namespace.MNT)).isTrue();
        assertThat(spec.process().capabilities().bounding()).contains(Capability.KILL, Capability.AUDIT_WRITE, Capability.NET_BIND_SERVICE);
        assertThat(spec.rlimits()).hasSize(1);
        assertThat(spec.mounts()).as("the standard mounts are the runtime's own; /sys/fs/cgroup's asks for the cgroup view")
                .allMatch(io.jcontainer.Mount::isCgroupView).hasSize(1);
        assertThat(spec.cgroupView()).isTrue();

        // against its own base, the conversion writes the document back unchanged
        SpecConv.Exported back = SpecConv.toConfig(spec, dir, base);
        assertThat(tree(back.config())).isEqualTo(tree(base));
        assertThat(back.needsExtras()).isFalse();

        // without a base: schema-valid, and read back to the same spec
        SpecConv.Exported fresh = SpecConv.toConfig(spec, dir, null);
        assertThat(RuntimeSchema.configErrors(fresh.config().tree())).isEmpty();
        assertThat(SpecConv.toSpec(fresh.config(), dir)).isEqualTo(spec);
        assertThat(RuntimeSchema.configErrors(base.tree())).isEmpty();
    }

    @Test
    void unknownFieldsSurviveAndOnlyTheChangeIsWritten() throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(Files.readString(Path.of(getClass().getResource("/edge.json").toURI())));
        OciConfig base = OciConfig.of(doc);
        ContainerSpec spec = SpecConv.toSpec(base, BUNDLE);
        assertThat(tree(SpecConv.toConfig(spec, BUNDLE, base).config())).isEqualTo(tree(base));

        ContainerSpec renamed = spec.toBuilder().hostname("other").build();
        ObjectNode out = SpecConv.toConfig(renamed, BUNDLE, base).config().tree();
        ObjectNode expected = doc.deepCopy();
        expected.put("hostname", "other");
        assertThat(JSON.readTree(out.toString())).isEqualTo(JSON.readTree(expected.toString()));
        assertThat(out.get("x-vendor").asText()).isEqualTo("kept");
        assertThat(out.at("/process/x-extra").asInt()).isEqualTo(7);
        assertThat(out.at("/root/path").asText()).as("the base's relative root is kept").isEqualTo("rootfs");
    }

    /** As runc: a bind mount's relative source is the bundle's; written back as it was spelled. */
    @Test
    void aRelativeBindSourceResolvesAgainstTheBundle() throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree("""
                {"ociVersion": "1.2.0", "process": {"args": ["true"], "cwd": "/"}, "root": {"path": "rootfs"}, "linux": {"namespaces": [{"type": "mount"}]},
                 "mounts": [{"destination": "/data", "type": "bind", "source": "data/dir", "options": ["rbind"]},
                            {"destination": "/abs", "source": "/srv", "options": ["bind"]}]}""");
        ContainerSpec s = SpecConv.toSpec(OciConfig.of(doc), BUNDLE);
        assertThat(s.mounts()).extracting(m -> ((io.jcontainer.Mount.Generic) m).source())
                .containsExactly(BUNDLE.resolve("data/dir").toString(), "/srv");
        assertThat(SpecConv.toConfig(s, BUNDLE, OciConfig.of(doc)).config().tree().get("mounts").get(0).get("source").asText()).isEqualTo("data/dir");
    }

    @Test
    void edgeCaseFieldsMapIntoTheModel() throws Exception {
        OciConfig base = OciConfig.of(JSON.readTree(Files.readString(Path.of(getClass().getResource("/edge.json").toURI()))));
        ContainerSpec s = SpecConv.toSpec(base, BUNDLE);
        assertThat(s.rootfs()).isEqualTo(BUNDLE.resolve("rootfs"));
        assertThat(s.readOnlyRoot()).isTrue();
        assertThat(s.linux().namespacePath(Namespace.NET)).isEqualTo("/run/netns/x");
        assertThat(s.resources().memory()).isEqualTo(DataSize.MB(64));
        assertThat(s.resources().cpuQuota()).isEqualTo(0.5);
        assertThat(s.resources().oomScoreAdj()).isEqualTo(100);
        assertThat(s.resources().deviceLimits()).singleElement().satisfies(d -> assertThat(d.device()).isEqualTo("/dev/block/8:0"));
        assertThat(s.rlimits()).anySatisfy(r -> assertThat(r.hard()).isEqualTo(-1));
        assertThat(s.process().user().umask()).isEqualTo(022);
        assertThat(s.process().user().additionalGids()).containsExactly(10, 20);
        assertThat(s.linux().devices()).singleElement().satisfies(d -> assertThat(d.permissions()).isEqualTo("rw"));
        assertThat(s.hooks().prestart()).singleElement().satisfies(h -> assertThat(h.timeout()).hasSeconds(5));
        assertThat(s.seccomp()).isInstanceOf(Seccomp.Json.class);
        assertThat(s.mounts()).hasSize(2);
        assertThat(s.annotations()).containsEntry("org.example.key", "value");
        assertThat(RuntimeSchema.configErrors(SpecConv.toConfig(s, BUNDLE, null).config().tree())).isEmpty();
    }

    @Test
    void builderSpecsGoThroughConfigAndExtras() {
        ContainerSpec spec = Container.builder().name("web").command("sh", "-c", "true").env("A", "b")
                .user("nobody").memoryLimit(DataSize.MB(32)).cpus(1.5).pidsLimit(64).hostname("h")
                .volume("/tmp:/data:ro").tmpfs("/scratch", DataSize.MB(1)).capDrop(Capability.KILL)
                .sysctl("net.ipv4.ip_forward", "1").device("/dev/fuse").annotation("k", "v")
                .hook(Hooks.Stage.POSTSTOP, Hooks.Hook.of(Path.of("/bin/true")))
                .detached(true).init(true).restart(RestartPolicy.ALWAYS).stopSignal(Signal.INT)
                .addNamespace(Namespace.USER).unprivilegedRoot(true)
                .stdout(Stdio.file(Path.of("/tmp/out"))).build();
        SpecConv.Exported e = SpecConv.toConfig(spec, BUNDLE, null);
        assertThat(RuntimeSchema.configErrors(e.config().tree())).isEmpty();
        assertThat(e.extras().get("root").get("kind").asText()).isEqualTo("default");
        ContainerSpec back = SpecConv.read(e.config(), BUNDLE, e.extras()).spec();
        assertThat(back.process()).isEqualTo(spec.process());
        assertThat(back.linux()).isEqualTo(spec.linux());
        assertThat(back.hooks()).isEqualTo(spec.hooks());
        // the builder's bind and tmpfs come back as such through the extras (a tmpfs's inode limit follows its size)
        assertThat(back).isEqualTo(spec);
        assertThat(SpecConv.toConfig(back, BUNDLE, null)).isEqualTo(e);
        // config.json alone spells them as OCI's generic mounts, which write the same config
        ObjectNode noMounts = e.extras().deepCopy();
        noMounts.remove("mounts");
        ContainerSpec generic = SpecConv.read(e.config(), BUNDLE, noMounts).spec();
        assertThat(generic).usingRecursiveComparison().ignoringFields("mounts").isEqualTo(spec);
        assertThat(generic.mounts()).hasSize(2).allSatisfy(m -> assertThat(m).isInstanceOf(io.jcontainer.Mount.Generic.class));
        assertThat(SpecConv.toConfig(generic, BUNDLE, null).config()).isEqualTo(e.config());
        // a mount a tool changed in config.json stays as config.json says
        ObjectNode edited = e.config().tree();
        ((ObjectNode) edited.get("mounts").get(edited.get("mounts").size() - 1)).put("source", "/elsewhere");
        ContainerSpec changed = SpecConv.read(OciConfig.of(edited), BUNDLE, e.extras()).spec();
        assertThat(changed.mounts()).filteredOn(m -> m instanceof io.jcontainer.Mount.Generic).hasSize(1);
    }

    @Test
    void overlayRootAndDefaultProfilesAreExtras() {
        ContainerSpec spec = Container.builder().command("true")
                .rootOverlay(List.of(BUNDLE.resolve("l1"), BUNDLE.resolve("l2")), BUNDLE.resolve("u"), BUNDLE.resolve("w")).build();
        SpecConv.Exported e = SpecConv.toConfig(spec, BUNDLE, null);
        assertThat(e.config().tree().has("root")).isFalse();
        assertThat(e.extras().get("seccomp").asText()).isEqualTo("default");
        ContainerSpec back = SpecConv.read(e.config(), BUNDLE, e.extras()).spec();
        assertThat(back.root()).isEqualTo(spec.root()).isInstanceOf(Root.Overlay.class);
        assertThat(back).usingRecursiveComparison().isEqualTo(spec);
        assertThat(back).isEqualTo(spec);
    }

    @Test
    void canonicalMountsAreRuncsOnesAndValidate() {
        ContainerSpec spec = Container.builder().rootfs(BUNDLE.resolve("rootfs")).command("true").build();
        ObjectNode t = SpecConv.toConfig(spec, BUNDLE, null).config().tree();
        assertThat(t.get("mounts").findValuesAsText("destination")).startsWith("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys")
                .as("the cgroup view is opt-in").doesNotContain("/sys/fs/cgroup");
        ObjectNode viewed = SpecConv.toConfig(spec.toBuilder().cgroupView().build(), BUNDLE, null).config().tree();
        assertThat(viewed.get("mounts").findValuesAsText("destination")).containsOnlyOnce("/sys/fs/cgroup");
    }

    @Test
    void notesSayWhatWasAdapted(@TempDir Path dir) throws Exception {
        OciConfig base = OciConfig.parse(peerSpec(dir, "runc", "spec"));
        SpecConv.Imported read = SpecConv.read(base, dir, null);
        assertThat(read.notes()).anySatisfy(n -> assertThat(n).startsWith("process.capabilities.ambient"))
                .noneSatisfy(n -> assertThat(n).contains("/sys/fs/cgroup"));
        assertThat(read.spec().cgroupView()).as("runc's cgroup mount asks for the container's own cgroups there").isTrue();
    }
}
