package io.jcontainer.linux.state;

import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** /proc/PID/stat, read the way a pid-reuse-safe liveness check needs it. */
public final class ProcStat {
    private ProcStat() {
    }

    /** Field 22 (starttime, clock ticks after boot), or -1 if the process is gone. */
    public static long startTime(long pid) {
        String[] f = fields(pid);
        return f == null ? -1 : Long.parseLong(f[19]);
    }

    /** Whether {@code pid} runs (not a zombie) and, if {@code startTime >= 0}, started then. */
    public static boolean alive(long pid, long startTime) {
        if (pid <= 0) return false;
        String[] f = fields(pid);
        if (f == null || f[0].equals("Z") || f[0].equals("X")) return false;
        return startTime < 0 || Long.parseLong(f[19]) == startTime;
    }

    /** The fields after "(comm)": f[0] is field 3 (state). */
    static String[] fields(long pid) {
        try {
            String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return st.substring(st.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    /** kill(2); a process that is already gone (ESRCH) is not an error. */
    static void kill(long pid, int signal) {
        try {
            NativeSyscalls.INSTANCE.kill((int) pid, signal);
        } catch (SyscallException e) {
            if (e.errno() != io.jcontainer.linux.sys.Errno.ESRCH) throw e;
        }
    }
}
