package io.jcontainer.linux.testing;

import io.jcontainer.linux.cgroup.CgroupHost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The cgroup directories a JVM's containers have, in every hierarchy and at any depth (nested parents too). */
public final class CgroupDirs {
    private static final CgroupHost HOST = CgroupHost.detect();

    private CgroupDirs() {
    }

    /** Every {@code jcontainer-<jvmPid>.*} directory under each hierarchy's root, up to 5 levels down. */
    public static List<Path> of(long jvmPid) {
        return named("jcontainer-" + jvmPid + ".");
    }

    /** The directories of the detached (or created) container {@code id}: they do not carry a JVM's pid. */
    public static List<Path> detached(String id) {
        return named("jcontainer-detached-" + id.substring(0, 12));
    }

    /** Every directory whose name starts with {@code prefix}, under each hierarchy's root, up to 5 levels down. */
    public static List<Path> named(String prefix) {
        List<String> roots = new ArrayList<>();
        HOST.v1().values().forEach(h -> roots.add(h.dir().substring(0, nthSlash(h.dir(), 5))));
        if (HOST.unified() != null) roots.add(HOST.unified().dir().substring(0, nthSlash(HOST.unified().dir(), HOST.isV1() ? 5 : 4)));
        List<Path> out = new ArrayList<>();
        for (String r : roots.stream().distinct().toList()) {
            try (Stream<Path> s = Files.walk(Path.of(r), 5)) {
                s.filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p)).forEach(out::add);
            } catch (IOException | java.io.UncheckedIOException e) {
                // not visible, or a directory removed while walking
            }
        }
        return out;
    }

    /** "/sys/fs/cgroup/memory/x/y" -> the index of the slash ending the 4th component ("/sys/fs/cgroup/memory"). */
    private static int nthSlash(String dir, int n) {
        int at = -1;
        for (int i = 0; i < n; i++) {
            at = dir.indexOf('/', at + 1);
            if (at < 0) return dir.length();
        }
        return at;
    }
}
