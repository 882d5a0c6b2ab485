package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cp -}: a tar stream on stdin extracted into a running container (docker's PUT archive)
 * and a path of it written to stdout as a tar stream (GET archive) — modes, owners, times and
 * symlinks round-trip; a hostile archive is refused by entry name and changes nothing outside
 * the target, neither in the container's root nor on the host.
 */
@RequiresRoot
class CpArchiveIT {
    @TempDir
    Path state;
    @TempDir
    Path tmp;

    @AfterEach
    void removeEverything() throws Exception {
        CliProcess.removeAll(state);
    }

    Result cli(String... args) throws Exception {
        return CliProcess.run(state, args);
    }

    /** ./jcontainer with stdin from {@code in} and stdout to {@code out}. */
    Result cliWithFiles(Path in, Path out, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of("..", "jcontainer").toAbsolutePath().normalize().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(in.toFile()).redirectOutput(out.toFile());
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        pb.environment().put("JCONTAINER_STATE_DIR", state.toString());
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1), err);
    }

    interface Entries {
        void add(TarArchiveOutputStream t) throws Exception;
    }

    Path tar(String name, Entries entries) throws Exception {
        Path f = tmp.resolve(name);
        try (var t = new TarArchiveOutputStream(Files.newOutputStream(f))) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.add(t);
        }
        return f;
    }

    static void dir(TarArchiveOutputStream t, String name, int mode) throws Exception {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_DIR);
        e.setMode(mode);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    static void file(TarArchiveOutputStream t, String name, int mode, int uid, String content) throws Exception {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(uid);
        e.setSize(b.length);
        e.setModTime(1_600_000_000_000L);
        t.putArchiveEntry(e);
        t.write(b);
        t.closeArchiveEntry();
    }

    static void link(TarArchiveOutputStream t, String name, byte type, String target) throws Exception {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setLinkName(target);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    @Test
    void aTarStreamGoesInAndComesOutWithModesOwnersTimesAndSymlinks() throws Exception {
        Result run = cli("run", "-d", "--name", "arc", "--tmpfs", "/data", "--rootfs", TestRootfs.busybox().toString(), "/bin/sleep", "1000");
        assertThat(run.code()).as(run.err()).isZero();
        Path in = tar("in.tar", t -> {
            dir(t, "d/", 0750);
            file(t, "d/f", 0640, 1000, "hello archive\n");
            file(t, "d/s", 04755, 0, "#!/bin/sh\n");
            link(t, "d/l", TarConstants.LF_SYMLINK, "/etc/passwd");
            link(t, "d/h", TarConstants.LF_LINK, "d/f");
            file(t, "d/sub/deep", 0600, 0, "made with its missing parent\n");
        });
        Result put = cliWithFiles(in, tmp.resolve("put.out"), "cp", "-", "arc:/data");
        assertThat(put.code()).as(put.err()).isZero();
        Result inside = cli("exec", "arc", "/bin/sh", "-c", "cat /data/d/f /data/d/h /data/d/sub/deep; stat -c '%n %a %u %Y' /data/d /data/d/f /data/d/s; readlink /data/d/l");
        assertThat(inside.out()).isEqualTo("hello archive\nhello archive\nmade with its missing parent\n"
                + "/data/d 750 0 " + dirTime(inside.out()) + "\n/data/d/f 640 1000 1600000000\n/data/d/s 4755 0 1600000000\n/etc/passwd\n");

        Path outTar = tmp.resolve("out.tar");
        Result get = cliWithFiles(Path.of("/dev/null"), outTar, "cp", "arc:/data/d", "-");
        assertThat(get.code()).as(get.err()).isZero();
        Map<String, TarArchiveEntry> got = new LinkedHashMap<>();
        Map<String, String> contents = new LinkedHashMap<>();
        try (InputStream s = Files.newInputStream(outTar); var t = new TarArchiveInputStream(s)) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                got.put(e.getName(), e);
                if (e.isFile()) contents.put(e.getName(), new String(t.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertThat(got.keySet()).containsExactly("d/", "d/f", "d/h", "d/l", "d/s", "d/sub/", "d/sub/deep");
        assertThat(got.get("d/").getMode() & 07777).isEqualTo(0750);
        assertThat(got.get("d/f").getMode() & 07777).isEqualTo(0640);
        assertThat(got.get("d/f").getLongUserId()).isEqualTo(1000);
        assertThat(got.get("d/f").getModTime().getTime()).isEqualTo(1_600_000_000_000L);
        assertThat(got.get("d/s").getMode() & 07777).isEqualTo(04755);
        assertThat(got.get("d/l").isSymbolicLink()).isTrue();
        assertThat(got.get("d/l").getLinkName()).isEqualTo("/etc/passwd");
        assertThat(contents).containsEntry("d/f", "hello archive\n").containsEntry("d/h", "hello archive\n");

        // the same bytes go back in under another directory
        assertThat(cli("exec", "arc", "/bin/mkdir", "/data/again").code()).isZero();
        assertThat(cliWithFiles(outTar, tmp.resolve("put2.out"), "cp", "-", "arc:/data/again").code()).isZero();
        assertThat(cli("exec", "arc", "/bin/cat", "/data/again/d/sub/deep").out()).isEqualTo("made with its missing parent\n");
        // docker's refusals of the target
        assertThat(cliWithFiles(in, tmp.resolve("x.out"), "cp", "-", "arc:/data/d/f").err()).contains("not a directory");
        assertThat(cliWithFiles(in, tmp.resolve("y.out"), "cp", "-", "arc:/nowhere").err()).contains("Could not find the file /nowhere");
    }

    /** The directory's time is the extraction's (its entry had none set): read back, not asserted. */
    private static String dirTime(String out) {
        return out.lines().filter(l -> l.startsWith("/data/d ")).findFirst().orElseThrow().split(" ")[3];
    }

    @Test
    void aHostileTarIsRefusedAndWritesNothingOutsideItsTarget() throws Exception {
        Path rootfs = TestRootfs.busybox();
        Result run = cli("run", "-d", "--name", "hostile", "--tmpfs", "/data", "--rootfs", rootfs.toString(), "/bin/sleep", "1000");
        assertThat(run.code()).as(run.err()).isZero();
        String canary = "jcontainer-cp-canary-" + ProcessHandle.current().pid();
        List<Path> mustNotExist = List.of(Path.of("/tmp", canary), rootfs.resolve(canary), rootfs.resolve("etc").resolve(canary));

        Map<String, Entries> attacks = new LinkedHashMap<>();
        attacks.put("../" + canary, t -> file(t, "../../" + canary, 0644, 0, "escaped\n"));
        attacks.put("symlink parent", t -> {
            link(t, "evil", TarConstants.LF_SYMLINK, "/");
            file(t, "evil/tmp/" + canary, 0644, 0, "escaped\n");
        });
        attacks.put("relative symlink parent", t -> {
            link(t, "up", TarConstants.LF_SYMLINK, "../../../../..");
            file(t, "up/etc/" + canary, 0644, 0, "escaped\n");
        });
        attacks.put("hard link out", t -> link(t, "pw", TarConstants.LF_LINK, "../etc/passwd"));
        attacks.put("device node", t -> {
            TarArchiveEntry e = new TarArchiveEntry("mem", TarConstants.LF_CHR);
            e.setDevMajor(1);
            e.setDevMinor(1);
            t.putArchiveEntry(e);
            t.closeArchiveEntry();
        });
        int i = 0;
        for (var a : attacks.entrySet()) {
            Result r = cliWithFiles(tar("attack" + i + ".tar", a.getValue()), tmp.resolve("attack" + i++ + ".out"), "cp", "-", "hostile:/data");
            assertThat(r.code()).as(a.getKey() + ": " + r.err()).isEqualTo(1);
            assertThat(r.err()).as(a.getKey()).contains("refusing entry");
        }
        for (Path p : mustNotExist) assertThat(p).doesNotExist();
        assertThat(cli("exec", "hostile", "/bin/sh", "-c", "ls /tmp /etc | grep -c " + canary).out()).isEqualTo("0\n");
        // what was extracted before a refusal stays inside the target: only the links the attacks planted
        assertThat(cli("exec", "hostile", "/bin/ls", "/data").out()).isEqualTo("evil\nup\n");
    }
}
