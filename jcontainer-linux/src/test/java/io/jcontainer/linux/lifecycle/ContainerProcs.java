package io.jcontainer.linux.lifecycle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Test helpers: the host's view of the processes in a container (by its PID namespace). */
final class ContainerProcs {
    private ContainerProcs() {
    }

    record Proc(int pid, char state, String comm) {
    }

    /** Every process whose PID namespace is that of {@code pid}. */
    static List<Proc> inPidNamespaceOf(long pid) {
        String ns = link("/proc/" + pid + "/ns/pid");
        List<Proc> out = new ArrayList<>();
        if (ns == null) return out;
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                if (!ns.equals(link(p + "/ns/pid"))) continue;
                Proc pr = stat(Integer.parseInt(name));
                if (pr != null) out.add(pr);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    static Proc stat(int pid) {
        try {
            String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int open = st.indexOf('('), close = st.lastIndexOf(')');
            return new Proc(pid, st.charAt(close + 2), st.substring(open + 1, close));
        } catch (IOException e) {
            return null; // gone meanwhile
        }
    }

    static boolean alive(int pid) {
        Proc p = stat(pid);
        return p != null && p.state() != 'Z';
    }

    static String link(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** Polls until the condition holds (at most {@code seconds}); returns whether it did. */
    static boolean eventually(int seconds, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return cond.getAsBoolean();
    }
}
