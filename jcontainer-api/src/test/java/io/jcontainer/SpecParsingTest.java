package io.jcontainer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Docker's notations and the builder's validation, all before any system call. */
class SpecParsingTest {
    @Test
    void volumes() {
        assertThat(Mount.parseVolume("/data:/mnt:ro")).isEqualTo(new Mount.Bind(Path.of("/data"), "/mnt", true, true));
        assertThat(Mount.parseVolume("/data:/mnt")).isEqualTo(new Mount.Bind(Path.of("/data"), "/mnt", false, true));
        assertThatThrownBy(() -> Mount.parseVolume("data:/mnt")).isInstanceOf(InvalidSpecException.class).hasMessageContaining("absolute");
        assertThatThrownBy(() -> Mount.parseVolume("/data:/mnt:rx")).hasMessageContaining("unknown option 'rx'");
        assertThatThrownBy(() -> Mount.parseVolume("/data")).hasMessageContaining("HOST-PATH:CONTAINER-PATH");
        assertThatThrownBy(() -> Mount.parseVolume("/data:/../etc")).hasMessageContaining("'..'");
    }

    @Test
    void mountOption() {
        assertThat(Mount.parseMount("type=bind,source=/a,target=/b,readonly")).isEqualTo(new Mount.Bind(Path.of("/a"), "/b", true, true));
        assertThat(Mount.parseMount("type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770"))
                .isEqualTo(new Mount.Tmpfs("/t", DataSize.MB(64), 01770, false, false));
        assertThatThrownBy(() -> Mount.parseMount("type=volume,target=/x")).hasMessageContaining("unsupported type");
        assertThatThrownBy(() -> Mount.parseMount("type=bind,target=/x")).hasMessageContaining("missing source");
        assertThatThrownBy(() -> Mount.parseMount("type=tmpfs,target=/x,bogus=1")).hasMessageContaining("unknown key 'bogus'");
    }

    @Test
    void sizesAndLimits() {
        assertThat(DataSize.parse("100m")).isEqualTo(DataSize.MB(100));
        assertThat(DataSize.parse("1.5g").bytes()).isEqualTo(3L * DataSize.GIB / 2);
        assertThat(DataSize.parse("512")).isEqualTo(DataSize.bytes(512));
        assertThatThrownBy(() -> DataSize.parse("12x")).hasMessageContaining("unknown unit 'x'");
        assertThat(Rlimit.parse("nofile=1024:2048")).isEqualTo(new Rlimit("nofile", 1024, 2048));
        assertThatThrownBy(() -> Rlimit.parse("nofile=2048:1024")).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> Rlimit.parse("bogus=1")).hasMessageContaining("unknown limit");
        assertThat(Signal.parse("SIGTERM")).isEqualTo(Signal.TERM);
        assertThat(Signal.parse("9")).isEqualTo(Signal.KILL);
        assertThat(IdMap.parse("0:100000:65536")).isEqualTo(new IdMap(0, 100000, 65536));
    }

    @Test
    void badInputFailsBeforeAnySyscall(@TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> Container.builder().rootfs(Path.of("rel/root"))).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("absolute");
        assertThatThrownBy(() -> Container.builder().rootfs(tmp.resolve("missing")).command("x").build())
                .hasMessageContaining("does not exist");
        Path file = Files.createFile(tmp.resolve("f"));
        assertThatThrownBy(() -> Container.builder().rootfs(file).command("x").build()).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> Container.builder().hostname("bad_name!")).hasMessageContaining("invalid hostname");
        assertThatThrownBy(() -> Container.builder().command("x").namespaces(Namespace.MNT).hostname("h").build())
                .hasMessageContaining("UTS");
        assertThatThrownBy(() -> Container.builder().command("x").namespaces(Namespace.PID).build()).hasMessageContaining("MNT");
        assertThatThrownBy(() -> Container.builder().build()).hasMessageContaining("no command");
        assertThatThrownBy(() -> Container.builder().user("a:b:c")).hasMessageContaining("UID[:GID]");
        assertThatThrownBy(() -> Container.builder().memoryLimit("0")).hasMessageContaining("positive");
    }
}
