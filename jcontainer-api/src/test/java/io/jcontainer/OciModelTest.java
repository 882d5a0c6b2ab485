package io.jcontainer;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static io.jcontainer.Namespace.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The OCI-shaped model: the builder fills the parts, and every bad input is a ContainerException naming the setting. */
class OciModelTest {

    ContainerSpec.Builder b() {
        return Container.builder().command("/bin/true");
    }

    @Test
    void theFluentBuilderFillsTheOciParts() {
        ContainerSpec s = b().namespaces(PID, NET, MNT, UTS, IPC).memoryLimit("100m").cpus("2,3").workingDir("/w").user("1:2")
                .additionalGids(5, 6).umask(027).sysctl("net.ipv4.ip_forward", "1").annotation("a", "b")
                .rootfsPropagation(Propagation.RSLAVE).capAdd(Capability.NET_ADMIN).build();
        assertThat(s.process().cwd()).isEqualTo("/w");
        assertThat(s.process().user()).isEqualTo(new UserSpec("1:2", List.of(5, 6), 027));
        assertThat(s.linux().namespaceTypes()).isEqualTo(EnumSet.of(PID, NET, MNT, UTS, IPC));
        assertThat(s.linux().resources().cpusetCpus()).isEqualTo("2,3");
        assertThat(s.linux().sysctl()).containsEntry("net.ipv4.ip_forward", "1");
        assertThat(s.linux().rootfsPropagation()).isEqualTo(Propagation.RSLAVE);
        assertThat(s.annotations()).containsEntry("a", "b");
        assertThat(s.capabilities()).contains(Capability.NET_ADMIN);
        assertThat(s.network()).isEqualTo(NetworkMode.NONE);
        assertThat(s.root()).isEqualTo(new Root.Default(false));
        assertThat(s.toBuilder().build()).isEqualTo(s);
    }

    @Test
    void theNetworkModeFollowsTheNetNamespace() {
        assertThat(b().networkMode(NetworkMode.HOST).build().has(NET)).isFalse();
        assertThat(b().removeNamespace(NET).build().network()).isEqualTo(NetworkMode.HOST);
        ContainerSpec joined = b().joinNamespace(NET, "/proc/1/ns/net").build();
        assertThat(joined.network()).isEqualTo(new NetworkMode.NamespacePath("/proc/1/ns/net"));
        assertThat(joined.linux().namespacePath(NET)).isEqualTo("/proc/1/ns/net");
        assertThat(b().network("ns:/run/netns/x").build().linux().namespacePath(NET)).isEqualTo("/run/netns/x");
        assertThat(b().network("mynet").build().network()).isEqualTo(new NetworkMode.Named("mynet"));
        assertThatThrownBy(() -> b().network("mynet").removeNamespace(NET).build())
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("network");
    }

    @Test
    void rootsAreSealedAndKeepReadOnly(@org.junit.jupiter.api.io.TempDir Path tmp) {
        assertThat(b().readOnlyRoot(true).rootfs(tmp).build().root()).isEqualTo(new Root.Directory(tmp, true));
        assertThat(b().rootOverlay(List.of(tmp), null, null).build().root()).isInstanceOf(Root.Overlay.class);
        assertThatThrownBy(() -> b().rootOverlay(List.of(tmp), tmp, null)).hasMessageContaining("upper and work");
        assertThatThrownBy(() -> b().rootOverlay(List.of(tmp.resolve("a,b")), null, null)).isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void hooksAndDevicesAreModelled() {
        ContainerSpec s = b().hook(Hooks.Stage.PRESTART, Hooks.Hook.of(Path.of("/bin/hook"), "hook", "x")).device("/dev/fuse").build();
        assertThat(s.hooks().prestart()).hasSize(1);
        assertThat(s.linux().devices().getFirst()).isEqualTo(new Device("/dev/fuse", (char) 0, 0, 0, null, null, null, "/dev/fuse", "rwm"));
        assertThat(Device.parse("/dev/sda:/dev/xvdc:r").permissions()).isEqualTo("r");
        assertThatThrownBy(() -> Device.parse("/dev/sda:/etc/x")).hasMessageContaining("under /dev");
    }

    @Test
    void volumeOptionsAreKeptNotIgnored() {
        assertThat(Mount.parseVolume("/a:/b:ro,rslave")).isEqualTo(new Mount.Generic("/b", "bind", "/a", List.of("rbind", "ro", "rslave")));
        assertThat(Mount.parseVolume("/a:/b:z")).isEqualTo(new Mount.Generic("/b", "bind", "/a", List.of("rbind", "rw", "z")));
        assertThat(Mount.parseMount("type=bind,source=/a,target=/b,bind-propagation=shared"))
                .isEqualTo(new Mount.Generic("/b", "bind", "/a", List.of("rbind", "rw", "shared")));
        assertThatThrownBy(() -> Mount.parseVolume("/a:/b:nocopy")).isInstanceOf(InvalidSpecException.class).hasMessageContaining("nocopy");
        assertThatThrownBy(() -> Mount.parseMount("type=bind,source=/a,target=/b,bind-propagation=sideways")).hasMessageContaining("sideways");
    }

    @Test
    void memorySwapMinusOneIsUnlimited() {
        assertThat(b().memoryLimit("64m").memorySwap(Resources.UNLIMITED_SWAP).build().resources().memorySwap())
                .isEqualTo(Resources.UNLIMITED_SWAP);
    }

    // ---- issue 19 item 6: the API's error contract ----

    @Test
    void aNulInTheWorkingDirectoryNamesTheSetting() {
        assertThatThrownBy(() -> b().workingDir("/tmp\0/x")).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).setting()).isEqualTo("workingDir"));
        assertThatThrownBy(() -> b().workingDir(null)).isInstanceOf(InvalidSpecException.class);
        assertThatThrownBy(() -> b().workingDir("rel")).isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void aNullArgumentNamesTheCommand() {
        assertThatThrownBy(() -> b().command("sh", null)).isInstanceOf(InvalidSpecException.class).hasMessageStartingWith("command:");
        assertThatThrownBy(() -> b().command((String[]) null)).isInstanceOf(InvalidSpecException.class);
        assertThatThrownBy(() -> b().command((List<String>) null)).isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void anEnvironmentExecveWouldRefuseIsRefusedBeforeTheStart() {
        String big = "x".repeat(200_000);
        assertThatThrownBy(() -> b().env("BIG", big)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("BIG").hasMessageContaining("bytes");
        ContainerSpec.Builder many = b();
        String chunk = "y".repeat(100_000);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 25; i++) many.env("V" + i, chunk);
        }).isInstanceOf(InvalidSpecException.class).hasMessageContaining("execve accepts at most");
        assertThatThrownBy(() -> b().command("echo", big)).isInstanceOf(InvalidSpecException.class).hasMessageStartingWith("command:");
    }

    @Test
    void everyNullIsAContainerException() {
        List<Runnable> bad = List.of(() -> b().env((String) null, "v"), () -> b().env("k", null), () -> b().env((String) null),
                () -> b().user("a\0b"), () -> b().stdin(null), () -> b().resources(null), () -> b().seccomp(null),
                () -> b().mount((Mount) null), () -> b().volume(null), () -> b().sysctl("kernel.x", null),
                () -> b().restart(null), () -> b().stopSignal(null), () -> b().capabilities(null), () -> b().rlimit(null),
                () -> b().hostname("a\0b"), () -> b().joinNamespace(NET, "rel"), () -> b().umask(01000),
                () -> b().additionalGids(1, null), () -> b().networkMode(null), () -> b().root(null));
        for (Runnable r : bad) assertThatThrownBy(r::run).isInstanceOf(ContainerException.class);
    }
}
