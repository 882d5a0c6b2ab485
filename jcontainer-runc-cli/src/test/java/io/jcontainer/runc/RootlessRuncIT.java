package io.jcontainer.runc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `spec --rootless` then `run` as an ordinary user ({@code jcuser}, through setpriv with a clean
 * environment): the config maps that user to root inside, and the state lives under its
 * {@code $XDG_RUNTIME_DIR}.
 */
@RequiresRoot
class RootlessRuncIT {
    static final String USER = "jcuser";

    @TempDir
    Path tmp;

    @Test
    void anOrdinaryUserRunsARootlessBundle() throws Exception {
        if (RuncIT.collect(new ProcessBuilder("id", "-u", USER)).code() != 0)
            assertThat(RuncIT.collect(new ProcessBuilder("useradd", "-m", "-s", "/bin/sh", USER)).code()).as("useradd").isZero();
        int uid = Integer.parseInt(RuncIT.collect(new ProcessBuilder("id", "-u", USER)).out().strip());
        int gid = Integer.parseInt(RuncIT.collect(new ProcessBuilder("id", "-g", USER)).out().strip());
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bundle = tmp.resolve("bundle"), xdg = tmp.resolve("xdg");
        Path script = Path.of("/work/shared/bench/busybox-bundle.sh");
        Path rel = Path.of("..", "..", "shared", "bench", "busybox-bundle.sh").toAbsolutePath().normalize();
        if (Files.exists(rel)) script = rel;
        assertThat(RuncIT.collect(new ProcessBuilder("sh", script.toString(), bundle.toString())).code()).isZero();
        Files.delete(bundle.resolve("config.json"));
        Files.createDirectory(xdg, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertThat(RuncIT.collect(new ProcessBuilder("chown", "-R", uid + ":" + gid, bundle.toString(), xdg.toString())).code()).isZero();

        RuncIT.Result spec = asUser(uid, gid, xdg, bundle, "spec", "--rootless");
        assertThat(spec.code()).as(spec.err()).isZero();
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
        assertThat(cfg.at("/linux/uidMappings/0/hostID").asInt()).isEqualTo(uid);
        ObjectNode p = (ObjectNode) cfg.get("process");
        p.put("terminal", false);
        ArrayNode args = p.putArray("args");
        args.add("sh").add("-c").add("id -u; echo rootless ok");
        Files.writeString(bundle.resolve("config.json"), cfg.toString());

        RuncIT.Result run = asUser(uid, gid, xdg, bundle, "run", "-b", bundle.toString(), "r1");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("0\nrootless ok\n");
        assertThat(xdg.resolve("jcontainer-runc")).isDirectory();
        assertThat(Files.getAttribute(xdg.resolve("jcontainer-runc"), "unix:uid")).isEqualTo(uid);
        assertThat(asUser(uid, gid, xdg, bundle, "list", "-q").out()).isEmpty();
    }

    RuncIT.Result asUser(int uid, int gid, Path xdg, Path cwd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups", "env", "-i",
                "HOME=" + cwd, "PATH=/usr/bin:/bin", "USER=" + USER, "XDG_RUNTIME_DIR=" + xdg, "JCONTAINER_NO_BUILD=1",
                "JAVA_HOME=" + System.getProperty("java.home"), RuncIT.SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return RuncIT.collect(new ProcessBuilder(cmd).directory(cwd.toFile()));
    }
}
