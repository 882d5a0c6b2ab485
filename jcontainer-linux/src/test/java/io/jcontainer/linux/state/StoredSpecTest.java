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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A recorded container's configuration survives the record, every part of the model; no root. */
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
        assertThat(StoredSpec.toJson(back)).isEqualTo(StoredSpec.toJson(s));
    }

    @Test
    void theDefaultsRoundTrip() {
        ContainerSpec s = Container.builder().command("true").build();
        StoredSpec.write(dir, s);
        assertThat(StoredSpec.read(dir)).isEqualTo(s);
    }

    @Test
    void aRecordWithoutASpecReadsAsNoneAndAnotherFormatIsRefusedSayingWhat() throws Exception {
        assertThat(StoredSpec.read(dir)).isNull(); // written before specs were recorded (run-args.json)
        Files.writeString(dir.resolve(StoredSpec.FILE), "{\"format\":\"jcontainer-spec/9\"}");
        assertThatThrownBy(() -> StoredSpec.read(dir)).isInstanceOf(ContainerException.class)
                .hasMessageContaining("jcontainer-spec/9").hasMessageContaining("remove the container");
    }
}
