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

/** How run's flags become a {@link ContainerSpec}, checked on the spec itself (no container, no root). */
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
        assertThat(s.mounts()).extracting(Mount::target).containsExactly("/a", "/a/b", "/a/b/c", "/sys/fs/cgroup"); // docker's cgroup view last
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
        assertThat(spec("--group-add", "audio").process().user().additionalGroups()).containsExactly("audio"); // resolved at start
        assertThatThrownBy(() -> spec("--sysctl", "novalue")).hasMessageContaining("KEY=VALUE");
    }

    @Test
    void runFlagsOfIssue18MapOntoTheModel(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Resources r = spec("--cpu-period", "50000", "--cpu-quota", "25000", "--blkio-weight-device", "/dev/sda:200").resources();
        assertThat(r.cpuPeriod()).isEqualTo(50_000);
        assertThat(r.cpuQuota()).isEqualTo(0.5);                       // 25 ms of each 50 ms
        assertThat(r.deviceLimits()).containsExactly(new Resources.DeviceLimit("/dev/sda", Resources.DeviceLimit.Kind.WEIGHT, 200));
        assertThat(spec("--cpu-quota", "150000").resources().cpuQuota()).isEqualTo(1.5); // the kernel's 100 ms period
        assertThat(spec("--cpu-quota", "-1").resources().isEmpty()).isTrue();
        assertThatThrownBy(() -> spec("--cpus", "1", "--cpu-quota", "50000")).hasMessage("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        assertThatThrownBy(() -> spec("--cpu-period", "999")).hasMessageContaining("CPU cfs period can not be less than 1ms");
        assertThatThrownBy(() -> spec("--cpu-quota", "999")).hasMessageContaining("CPU cfs quota can not be less than 1ms");
        assertThatThrownBy(() -> spec("--memory-swappiness", "101")).hasMessageContaining("valid memory swappiness range is 0-100");
        assertThat(spec("--memory-swappiness", "-1").resources().memorySwappiness()).isNull();
        assertThatThrownBy(() -> spec("--blkio-weight-device", "/dev/sda:5")).hasMessageContaining("between 10 and 1000");

        ContainerSpec s = spec("--stop-timeout", "3", "--shm-size", "1m", "--log-opt", "max-size=1k", "--log-opt", "max-file=2",
                "--health-cmd", "test -e /ok", "--health-interval", "1s500ms", "--health-timeout", "2s", "--health-retries", "4",
                "--health-start-period", "1m");
        assertThat(s.stopTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
        assertThat(s.mounts()).contains(new Mount.Tmpfs("/dev/shm", DataSize.MB(1), 01777, false, true, 0));
        assertThat(s.logConfig()).isEqualTo(new io.jcontainer.LogConfig(io.jcontainer.LogConfig.Driver.JSON_FILE, DataSize.KB(1), 2));
        assertThat(s.healthcheck()).isEqualTo(new io.jcontainer.HealthCheck(List.of("CMD-SHELL", "test -e /ok"),
                java.time.Duration.ofMillis(1500), java.time.Duration.ofSeconds(2), java.time.Duration.ofMinutes(1), 4));
        assertThat(s.healthcheck().argv()).containsExactly("/bin/sh", "-c", "test -e /ok");
        assertThat(spec("--no-healthcheck").healthcheck()).isNull();
        assertThatThrownBy(() -> spec("--no-healthcheck", "--health-cmd", "true")).hasMessage("--no-healthcheck conflicts with --health-* options");
        assertThatThrownBy(() -> spec("--health-cmd", "true", "--health-interval", "soon")).hasMessageContaining("invalid duration");
        assertThatThrownBy(() -> spec("--log-driver", "syslog")).hasMessageContaining("logging driver 'syslog' is not supported");
        assertThatThrownBy(() -> spec("--log-opt", "mode=non-blocking")).hasMessageContaining("unknown log opt 'mode'");
        assertThat(spec("--log-driver", "none").logConfig().driver()).isEqualTo(io.jcontainer.LogConfig.Driver.NONE);
        assertThatThrownBy(() -> spec("--ipc", "bogus")).hasMessageContaining("invalid IPC mode");
        assertThatThrownBy(() -> spec("--uts", "container:x")).hasMessageContaining("invalid UTS mode");
        assertThatThrownBy(() -> spec("--userns", "keep-id")).hasMessageContaining("--userns keep-id is not supported");

        // docker's file formats: comments and blank lines skipped; a bare VAR takes this process's value
        Path env = java.nio.file.Files.writeString(tmp.resolve("env"), "# comment\n\nA=1\nPATH\nUNSET_XYZ_18\nB=two words\n");
        Path labels = java.nio.file.Files.writeString(tmp.resolve("labels"), "# c\ncom.example.a=1\nflag\n");
        ContainerSpec f = spec("--env-file", env.toString(), "-e", "A=2", "--label-file", labels.toString(), "-l", "com.example.a=3");
        assertThat(f.env()).containsEntry("A", "2").containsEntry("B", "two words").containsEntry("PATH", System.getenv("PATH"))
                .doesNotContainKey("UNSET_XYZ_18");
        assertThat(f.annotations()).containsEntry("com.example.a", "3").containsEntry("flag", "");
    }

    @Test
    void durationsAreGoSpelled() {
        assertThat(ContainerFlags.duration("x", "500ms")).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(ContainerFlags.duration("x", "1m30s")).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(ContainerFlags.duration("x", "1.5h")).isEqualTo(java.time.Duration.ofMinutes(90));
        assertThat(ContainerFlags.duration("x", "0")).isEqualTo(java.time.Duration.ZERO);
        assertThatThrownBy(() -> ContainerFlags.duration("x", "10")).hasMessageContaining("invalid duration");
        assertThatThrownBy(() -> ContainerFlags.duration("x", "1s2")).hasMessageContaining("invalid duration");
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
