package io.jcontainer.linux.state;

import io.jcontainer.Capability;
import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;
import io.jcontainer.DataSize;
import io.jcontainer.Device;
import io.jcontainer.Hooks;
import io.jcontainer.IdMap;
import io.jcontainer.Mount;
import io.jcontainer.Namespace;
import io.jcontainer.Resources;
import io.jcontainer.RestartPolicy;
import io.jcontainer.Rlimit;
import io.jcontainer.Seccomp;
import io.jcontainer.Signal;
import io.jcontainer.Stdio;
import io.jcontainer.oci.runtime.OciConfig;
import io.jcontainer.oci.runtime.testing.RuntimeSchema;
import io.jcontainer.oci.runtime.SpecConv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A recorded container's configuration (config.json + jcontainer.json) survives the record, every
 * part of the model, and config.json is valid against the runtime-spec schema; records of the
 * format before and records others may write are refused saying why. No root.
 */
class StoredSpecTest {
    @TempDir
    Path dir;

    @Test
    void everyPartRoundTrips() {
        ContainerSpec s = Container.builder().name("web").namespaces(Namespace.PID, Namespace.MNT, Namespace.USER, Namespace.UTS, Namespace.NET)
                .rootfs(dir).readOnlyRoot(true).command("/bin/sh", "-c", "echo 'a b'").env("A", "1").env("B", "x=y")
                .workingDir("/srv").user("1000:1000").additionalGids(5, 6).umask(027).hostname("h").domainname("d.example")
                .mount(Mount.bindReadOnly(dir, "/data")).mount(new Mount.Tmpfs("/tmp", DataSize.MB(64), 01777, false, true))
                .mount("proc", "proc", "/proc2", "nosuid", "rslave").device(Device.node("/dev/fuse", 'c', 10, 229))
                .uidMap(new IdMap(0, 100000, 65536)).gidMap(new IdMap(0, 200000, 65536))
                .stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(new Stdio.File(dir.resolve("err"), true))
                .resources(new Resources(DataSize.MB(256), DataSize.MB(512), null, 1.5, "0", null, 512, 64, 0,
                        List.of(new Resources.DeviceLimit("/dev/null", Resources.DeviceLimit.Kind.READ_BPS, 1 << 20)), -500))
                .sysctl("net.ipv4.ip_forward", "1")
                .capabilities(java.util.Set.of(Capability.CHOWN, Capability.KILL)).noNewPrivileges(true)
                .seccomp(Seccomp.json("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}")).maskedPaths(List.of("/proc/kcore"))
                .readonlyPaths(List.of()).rlimit(new Rlimit("nofile", 1024, 4096)).init(true).detached(true)
                .hook(Hooks.Stage.PRESTART, new Hooks.Hook(Path.of("/bin/true"), List.of("true", "x"), List.of("K=V"), Duration.ofSeconds(3)))
                .annotation("org.example/key", "value")
                .stopSignal(Signal.INT).tty(true).consoleSize(24, 80).restart(RestartPolicy.onFailure(3)).build();
        StoredSpec.write(dir, s);
        ContainerSpec back = StoredSpec.read(dir);
        assertThat(back).isEqualTo(s);
        // the record's config.json is an OCI config a runc-style tool reads as is
        assertThat(RuntimeSchema.configErrors(OciConfig.read(dir.resolve("config.json")).tree())).isEmpty();
        assertThat(SpecConv.toSpec(OciConfig.read(dir.resolve("config.json")), dir).command()).isEqualTo(s.command());
        assertThat(dir.resolve("jcontainer.json")).isRegularFile();
        assertThat(dir.resolve("spec.json")).doesNotExist();
        // written again (a start after a stop) it reads the same
        StoredSpec.write(dir, back);
        assertThat(StoredSpec.read(dir)).isEqualTo(s);
    }

    @Test
    void aNamedNetworkWithItsOptionsAndAContainerNetworkRoundTrip() {
        var options = new io.jcontainer.NetworkOptions(List.of("api"), List.of(new io.jcontainer.PortBinding("127.0.0.1", 8080, 80, "tcp"),
                new io.jcontainer.PortBinding(null, 0, 53, "udp")), "10.0.0.7", "92:d0:c6:0a:29:33", List.of("10.0.0.53"),
                List.of("example.test"), List.of("ndots:2"), List.of("db:10.0.0.9"));
        for (io.jcontainer.NetworkMode mode : List.of(new io.jcontainer.NetworkMode.Named("front", options), new io.jcontainer.NetworkMode.Named("bridge"),
                new io.jcontainer.NetworkMode.Container("web"))) {
            ContainerSpec s = Container.builder().command("true").networkMode(mode).build();
            StoredSpec.write(dir, s);
            assertThat(StoredSpec.read(dir)).isEqualTo(s);
        }
    }

    @Test
    void theDefaultsRoundTrip() {
        ContainerSpec s = Container.builder().command("true").build();
        StoredSpec.write(dir, s);
        assertThat(StoredSpec.read(dir)).isEqualTo(s);
    }

    @Test
    void aRecordWithoutASpecReadsAsNoneAndOneOfThePreviousFormatIsRefusedSayingWhatToDo() throws Exception {
        Path rec = Files.createDirectories(dir.resolve("0123456789ab" + "0".repeat(52)));
        assertThat(StoredSpec.read(rec)).isNull(); // written before specs were recorded (run-args.json)
        Files.writeString(rec.resolve("spec.json"), "{\"format\":\"jcontainer-spec/2\",\"spec\":{}}");
        assertThatThrownBy(() -> StoredSpec.read(rec)).isInstanceOf(StoredSpec.OldRecordException.class)
                .isInstanceOf(io.jcontainer.lifecycle.Containers.ConflictException.class)
                .hasMessageContaining("container 0123456789ab").hasMessageContaining(rec + " holds spec.json")
                .hasMessageContaining("can still be listed, stopped and removed").hasMessageContaining("remove it (rm 0123456789ab) and run it anew");
    }

    @Test
    void aRecordAnotherUserMayWriteIsRefusedAsTamperedWith() throws Exception {
        StoredSpec.write(dir, Container.builder().command("true").build());
        Path cfg = dir.resolve("config.json");
        Files.setPosixFilePermissions(cfg, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThatThrownBy(() -> StoredSpec.read(dir)).isInstanceOf(StoredSpec.TamperedRecordException.class)
                .hasMessageContaining(cfg + ": it is writable by others").hasMessageContaining("tampered with");
        Files.setPosixFilePermissions(cfg, PosixFilePermissions.fromString("rw-------"));
        assertThat(StoredSpec.read(dir)).isNotNull();
        // a link to a file elsewhere (another user's, say) is not the record's own
        Path elsewhere = Files.move(dir.resolve("jcontainer.json"), dir.resolve("elsewhere.json"));
        Files.createSymbolicLink(dir.resolve("jcontainer.json"), elsewhere);
        assertThatThrownBy(() -> StoredSpec.read(dir)).isInstanceOf(StoredSpec.TamperedRecordException.class)
                .hasMessageContaining("is a symbolic link");
    }

    @Test
    void anIncompleteRecordIsRefusedNamingTheFile() throws Exception {
        StoredSpec.write(dir, Container.builder().command("true").build());
        Files.delete(dir.resolve("jcontainer.json"));
        assertThatThrownBy(() -> StoredSpec.read(dir)).isInstanceOf(ContainerException.class)
                .hasMessageContaining(dir.resolve("jcontainer.json") + ": missing beside config.json");
    }
}
