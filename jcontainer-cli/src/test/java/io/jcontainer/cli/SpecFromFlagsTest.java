package io.jcontainer.cli;

import io.jcontainer.Capability;
import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.DataSize;
import io.jcontainer.IdMap;
import io.jcontainer.Mount;
import io.jcontainer.Namespace;
import io.jcontainer.Resources;
import io.jcontainer.Rlimit;
import io.jcontainer.Seccomp;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How run's flags become a {@link ContainerSpec}, checked on the spec itself (no sandbox, no root). */
class SpecFromFlagsTest {

    private static ContainerSpec spec(String... flags) {
        var p = new RunCommand().flags().parse(List.of(flags), false);
        ContainerSpec.Builder b = Container.builder();
        ContainerFlags.apply(p, b);
        return b.command("true").build();
    }

    @Test
    void resourceFlagsMapOntoTheBuilder() {
        Resources r = spec("-m", "100m", "--memory-swap", "200m", "--memory-reservation", "50m", "--cpus", "1.5",
                "--cpuset-cpus", "0-1", "--cpuset-mems", "0", "-c", "512", "--pids-limit", "64", "--oom-score-adj", "500",
                "--blkio-weight", "300", "--device-read-bps", "/dev/sda:1mb", "--device-write-iops", "/dev/sda:100").resources();
        assertThat(r.memory()).isEqualTo(DataSize.MB(100));
        assertThat(r.memorySwap()).isEqualTo(DataSize.MB(200));
        assertThat(r.memoryReservation()).isEqualTo(DataSize.MB(50));
        assertThat(r.cpuQuota()).isEqualTo(1.5);
        assertThat(r.cpusetCpus()).isEqualTo("0-1");
        assertThat(r.cpusetMems()).isEqualTo("0");
        assertThat(r.cpuShares()).isEqualTo(512);
        assertThat(r.pidsLimit()).isEqualTo(64);
        assertThat(r.oomScoreAdj()).isEqualTo(500);
        assertThat(r.blkioWeight()).isEqualTo(300);
        assertThat(r.deviceLimits()).containsExactly(
                new Resources.DeviceLimit("/dev/sda", Resources.DeviceLimit.Kind.READ_BPS, DataSize.MIB),
                new Resources.DeviceLimit("/dev/sda", Resources.DeviceLimit.Kind.WRITE_IOPS, 100));
        // docker: -1 and 0 are "unlimited"
        assertThat(spec("--pids-limit", "-1").resources().isEmpty()).isTrue();
    }

    @Test
    void networkFlagsBecomeANamedNetworkWithItsOptions() {
        var n = (io.jcontainer.NetworkMode.Named) spec("--network", "front", "--network-alias", "api", "-p", "127.0.0.1:8080:80",
                "-p", "53/udp", "-P", "--expose", "7000-7001", "--ip", "10.0.0.7", "--mac-address", "92:D0:C6:0A:29:33", "--dns", "10.0.0.53",
                "--dns-search", "example.test", "--dns-option", "ndots:2", "--add-host", "db:10.0.0.9").network();
        assertThat(n.name()).isEqualTo("front");
        assertThat(n.options().ports()).containsExactly(new io.jcontainer.PortBinding("127.0.0.1", 8080, 80, "tcp"),
                new io.jcontainer.PortBinding(null, 0, 53, "udp"), new io.jcontainer.PortBinding(null, 0, 7000, "tcp"),
                new io.jcontainer.PortBinding(null, 0, 7001, "tcp"));
        assertThat(n.options().aliases()).containsExactly("api");
        assertThat(n.options().ip()).isEqualTo("10.0.0.7");
        assertThat(n.options().macAddress()).isEqualTo("92:d0:c6:0a:29:33");
        assertThat(n.options().dns()).containsExactly("10.0.0.53");
        assertThat(n.options().dnsSearch()).containsExactly("example.test");
        assertThat(n.options().dnsOptions()).containsExactly("ndots:2");
        assertThat(n.options().extraHosts()).containsExactly("db:10.0.0.9");
        // -p without --network: docker's default bridge; no ports: the default stays none
        assertThat(spec("-p", "80").network()).isEqualTo(new io.jcontainer.NetworkMode.Named("bridge",
                io.jcontainer.NetworkOptions.NONE.withPorts(List.of(new io.jcontainer.PortBinding(null, 0, 80, "tcp")))));
        assertThat(spec().network()).isEqualTo(io.jcontainer.NetworkMode.NONE);
        assertThat(spec("--network", "container:web").network()).isEqualTo(new io.jcontainer.NetworkMode.Container("web"));
        assertThatThrownBy(() -> spec("--network", "host", "-p", "80")).hasMessageContaining("conflicting options: --publish and the network mode host");
        assertThatThrownBy(() -> spec("--network", "bridge", "--network-alias", "x")).hasMessageContaining("user defined networks");
        assertThatThrownBy(() -> spec("--network", "container:web", "--hostname", "x")).hasMessageContaining("conflicting options: hostname");
        assertThatThrownBy(() -> spec("--network", "front", "--mac-address", "01:00:00:00:00:01")).hasMessageContaining("multicast");
        assertThatThrownBy(() -> spec("-p", "1:2:3:4")).hasMessageContaining("invalid port specification '1:2:3:4'");
    }

    @Test
    void namespaceFlags() {
        // --userns host too: as an ordinary user the default has a user namespace (rootless)
        assertThat(spec("--net", "host", "--uts", "host", "--pid", "host", "--ipc", "host", "--cgroupns", "host", "--userns", "host").namespaces())
                .containsExactly(Namespace.MNT);
        assertThat(spec("--userns", "private").has(Namespace.USER)).isTrue();
        ContainerSpec s = spec("--uidmap", "0:100000:65536");
        assertThat(s.has(Namespace.USER)).isTrue();
        assertThat(s.uidMap()).containsExactly(new IdMap(0, 100000, 65536));
        assertThat(s.gidMap()).containsExactly(new IdMap(0, 100000, 65536)); // defaults to the uid map
        assertThat(spec("--uidmap", "0:1000:1", "--gidmap", "0:2000:1").gidMap()).containsExactly(new IdMap(0, 2000, 1));
        assertThatThrownBy(() -> spec("--userns", "host", "--uidmap", "0:1:1")).hasMessageContaining("conflicting");
    }

    @Test
    void mountsAreOrderedParentsFirst() {
        ContainerSpec s = spec("--tmpfs", "/a/b/c", "-v", "/tmp:/a/b:ro", "--mount", "type=tmpfs,target=/a");
        assertThat(s.mounts()).extracting(Mount::target).containsExactly("/a", "/a/b", "/a/b/c");
        assertThat(s.mounts().get(1)).isEqualTo(new Mount.Bind(Path.of("/tmp"), "/a/b", true, true));
        assertThat(s.mounts().get(2)).isEqualTo(new Mount.Tmpfs("/a/b/c", null, 01777, false, true));
        assertThat(spec("--tmpfs", "/x:size=64m,mode=755,exec,ro").mounts().getFirst())
                .isEqualTo(new Mount.Tmpfs("/x", DataSize.MB(64), 0755, true, false));
        assertThat(spec("--tmpfs", "/x:size=1m,nr_inodes=50").mounts().getFirst())
                .isEqualTo(new Mount.Tmpfs("/x", DataSize.MB(1), 01777, false, true, 50));
        assertThatThrownBy(() -> spec("--tmpfs", "/x:nr_inodes=0")).hasMessageContaining("nr_inodes");
    }

    @Test
    void ociFlagsAndMountOptionsAreHonouredOrRefusedNeverIgnored() {
        ContainerSpec s = spec("--sysctl", "net.ipv4.ip_forward=1", "--group-add", "44", "--device", "/dev/fuse",
                "-v", "/tmp:/t:ro,rslave", "--memory", "64m", "--memory-swap", "-1");
        assertThat(s.linux().sysctl()).containsEntry("net.ipv4.ip_forward", "1");
        assertThat(s.process().user().additionalGids()).containsExactly(44);
        assertThat(s.linux().devices()).extracting(io.jcontainer.Device::hostPath).containsExactly("/dev/fuse");
        assertThat(s.mounts().getFirst()).isEqualTo(new Mount.Generic("/t", "bind", "/tmp", List.of("rbind", "ro", "rslave")));
        assertThat(s.resources().memorySwap()).isEqualTo(Resources.UNLIMITED_SWAP);
        assertThatThrownBy(() -> spec("-v", "/tmp:/t:nocopy")).hasMessageContaining("nocopy");
        assertThatThrownBy(() -> spec("--group-add", "audio")).hasMessageContaining("numeric");
        assertThatThrownBy(() -> spec("--sysctl", "novalue")).hasMessageContaining("KEY=VALUE");
    }

    @Test
    void securityFlags() {
        assertThat(spec("--cap-drop", "ALL", "--cap-add", "net_admin,CAP_KILL").capabilities())
                .containsExactlyInAnyOrder(Capability.NET_ADMIN, Capability.KILL);
        assertThat(spec("--cap-add", "ALL", "--cap-drop", "SYS_ADMIN").capabilities())
                .doesNotContain(Capability.SYS_ADMIN).contains(Capability.NET_ADMIN);
        ContainerSpec priv = spec("--privileged");
        assertThat(priv.seccomp()).isEqualTo(Seccomp.UNCONFINED);
        assertThat(priv.capabilities()).isEqualTo(ContainerFlags.available());
        assertThat(spec("--security-opt", "no-new-privileges").noNewPrivileges()).isTrue();
        assertThat(spec("--security-opt", "no-new-privileges:true").noNewPrivileges()).isTrue();
        assertThat(spec("--security-opt", "no-new-privileges=false").noNewPrivileges()).isFalse();
        assertThat(spec("--security-opt", "seccomp=unconfined").seccomp()).isEqualTo(Seccomp.UNCONFINED);
        assertThat(spec("--security-opt", "systempaths=unconfined").maskedPaths()).isEmpty();
        assertThat(spec("--ulimit", "nofile=10:20", "--ulimit", "core=0").rlimits())
                .containsExactly(new Rlimit("nofile", 10, 20), new Rlimit("core", 0, 0));
        assertThat(spec("--init").init()).isTrue();
        assertThat(spec("--read-only").readOnlyRoot()).isTrue();
    }

    @Test
    void identityFlags() {
        ContainerSpec s = spec("--name", "web-1", "-h", "box", "--domainname", "example.org", "-u", "1000:1000", "-w", "/srv",
                "-e", "A=1", "-e", "A=2");
        assertThat(s.name()).isEqualTo("web-1");
        assertThat(s.hostname()).isEqualTo("box");
        assertThat(s.domainname()).isEqualTo("example.org");
        assertThat(s.user()).isEqualTo("1000:1000");
        assertThat(s.workingDir()).isEqualTo("/srv");
        assertThat(s.env()).containsEntry("A", "2");
    }
}
