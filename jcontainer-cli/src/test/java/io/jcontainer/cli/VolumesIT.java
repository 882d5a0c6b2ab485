package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Volumes through ./jcontainer, one process per invocation: a named volume shared by two
 * containers (and a third through --volumes-from, read-only) outlives them and is refused to
 * rm while used; an anonymous one goes with rm -v; prune takes what nothing uses.
 */
@RequiresRoot
class VolumesIT {
    @TempDir
    Path state;

    @AfterEach
    void removeEverything() throws Exception {
        CliProcess.removeAll(state);
        for (String v : cli("volume", "ls", "-q").out().split("\n")) if (!v.isBlank()) cli("volume", "rm", v);
    }

    Result cli(String... args) throws Exception {
        return CliProcess.run(state, args);
    }

    private void ok(Result r) {
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void aNamedVolumeIsSharedKeptAfterRmAndRefusedWhileUsed() throws Exception {
        String root = TestRootfs.busybox().toString();
        assertThat(cli("volume", "create", "--label", "team=a", "shared").out()).isEqualTo("shared\n");
        ok(cli("run", "-d", "--name", "writer", "-v", "shared:/data", "--rootfs", root, "/bin/sh", "-c", "echo hello > /data/f; exec sleep 1000"));
        long end = System.nanoTime() + 10_000_000_000L;
        while (!cli("exec", "writer", "/bin/cat", "/data/f").out().equals("hello\n") && System.nanoTime() < end) Thread.sleep(100);
        // a second container, by --mount, reads what the first wrote
        Result reader = cli("run", "--rm", "--mount", "type=volume,source=shared,target=/in,readonly", "--rootfs", root, "/bin/cat", "/in/f");
        assertThat(reader.out()).as(reader.err()).isEqualTo("hello\n");
        // a third gets writer's volumes, read-only
        ok(cli("run", "-d", "--name", "copy", "--volumes-from", "writer:ro", "--rootfs", root, "/bin/sleep", "1000"));
        assertThat(cli("exec", "copy", "/bin/cat", "/data/f").out()).isEqualTo("hello\n");
        assertThat(cli("exec", "copy", "/bin/sh", "-c", "echo x > /data/g").code()).isNotZero();

        Result inUse = cli("volume", "rm", "shared");
        assertThat(inUse.code()).isEqualTo(1);
        assertThat(inUse.err()).contains("volume is in use");
        assertThat(cli("volume", "inspect", "shared").out()).contains("\"Name\" : \"shared\"").contains("\"team\" : \"a\"")
                .contains("\"Driver\" : \"local\"").contains("_data");

        ok(cli("rm", "-f", "-v", "writer", "copy")); // -v: anonymous volumes only
        assertThat(cli("volume", "ls").out()).matches("(?s)DRIVER +VOLUME NAME\nlocal +shared\n");
        assertThat(cli("volume", "ls", "--filter", "dangling=true", "-q").out()).isEqualTo("shared\n");
        // kept after rm: a new container sees the data
        assertThat(cli("run", "--rm", "-v", "shared:/d", "--rootfs", root, "/bin/cat", "/d/f").out()).isEqualTo("hello\n");
        ok(cli("volume", "rm", "shared"));
        assertThat(cli("volume", "ls", "-q").out()).isEmpty();
        assertThat(cli("volume", "inspect", "shared").err()).contains("no such volume");
    }

    @Test
    void anonymousVolumesGoWithRmVAndPruneTakesWhatNothingUses() throws Exception {
        String root = TestRootfs.busybox().toString();
        ok(cli("run", "-d", "--name", "anon", "-v", "/scratch", "--rootfs", root, "/bin/sh", "-c", "echo x > /scratch/y; exec sleep 1000"));
        List<String> vols = cli("volume", "ls", "-q").out().lines().toList();
        assertThat(vols).hasSize(1).allMatch(v -> v.matches("[0-9a-f]{64}"));
        assertThat(cli("inspect", "anon").out()).contains(vols.getFirst() + "/_data").contains("\"Destination\" : \"/scratch\"");
        ok(cli("rm", "-f", "-v", "anon"));
        assertThat(cli("volume", "ls", "-q").out()).isEmpty();

        ok(cli("volume", "create", "named"));
        ok(cli("run", "-d", "--name", "keep", "-v", "/tmpvol", "--rootfs", root, "/bin/true"));
        ok(cli("rm", "-f", "keep")); // without -v: its anonymous volume stays, unused
        assertThat(cli("volume", "ls", "-q").out().lines().count()).isEqualTo(2);
        Result prune = cli("volume", "prune", "-f");
        assertThat(prune.out()).startsWith("Deleted Volumes:\n").contains("Total reclaimed space");
        assertThat(cli("volume", "ls", "-q").out()).isEqualTo("named\n"); // docker 23+: named ones only with --all
        ok(cli("volume", "prune", "-f", "--all"));
        assertThat(cli("volume", "ls", "-q").out()).isEmpty();
        Result bad = cli("volume", "create", "no/slash");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("includes invalid characters for a local volume name");
    }
}
