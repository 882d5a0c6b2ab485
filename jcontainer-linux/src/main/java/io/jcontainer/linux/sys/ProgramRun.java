package io.jcontainer.linux.sys;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A host program run to its end through the seam — an OCI hook, the {@code nft} fallback:
 * spawned ({@link Syscalls#spawn}: posix_spawn, its own process group, only its stdio), its
 * stdin fed and closed, stdout and stderr collected together (the first {@code keep} bytes), and
 * reaped with {@code waitid}. Past its timeout its whole process group is killed; whatever it
 * left running in its group is killed when it ends. Nothing of it outlives the call.
 */
public final class ProgramRun {
    /** How it ended: {@code status} is waitid's (an exit code, or a signal when not {@code exited}); {@code timedOut}: killed at the timeout. */
    public record Result(boolean exited, int status, boolean timedOut, String output) {
        public boolean succeeded() {
            return exited && status == 0 && !timedOut;
        }
    }

    private ProgramRun() {
    }

    /**
     * @param timeout null: no limit
     * @throws SyscallException the program could not be spawned (e.g. ENOENT, EACCES)
     */
    public static Result run(Syscalls sys, String path, List<String> argv, List<String> env, byte[] stdin, Duration timeout, int keep)
            throws InterruptedException {
        int[] in = sys.pipe(), out;
        try {
            out = sys.pipe();
        } catch (SyscallException e) {
            closeAll(sys, in[0], in[1]);
            throw e;
        }
        int pid;
        try {
            pid = sys.spawn(path, new int[]{in[0], out[1], out[1]}, argv, env);
        } catch (SyscallException e) {
            closeAll(sys, in[1], out[0]);
            throw e;
        } finally {
            closeAll(sys, in[0], out[1]); // the program's ends: its exit then ends our reads
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        // a platform thread: a read blocked in a downcall would pin a virtual thread's carrier
        Thread reader = Thread.ofPlatform().daemon().name("program-output").start(() -> drain(sys, out[0], output, keep));
        boolean reaped = false;
        try {
            try {
                sys.write(in[1], stdin, 0, stdin.length);
            } catch (SyscallException e) {
                // EPIPE: it did not read its stdin, its business
            } finally {
                closeAll(sys, in[1]);
            }
            long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
            Syscalls.WaitStatus st;
            for (long pause = 1; (st = sys.waitPid(pid, true)) == null; pause = Math.min(pause * 2, 20)) {
                if (timeout != null && System.nanoTime() - deadline > 0) {
                    killGroup(sys, pid);
                    sys.waitPid(pid, false);
                    reaped = true;
                    reader.join(1000);
                    return new Result(false, 9, true, text(output));
                }
                Thread.sleep(pause);
            }
            reaped = true;
            killGroup(sys, pid); // what it started and left
            reader.join(5000);
            return new Result(st.exited(), st.status(), false, text(output));
        } finally {
            if (!reaped) {
                killGroup(sys, pid);
                sys.waitPid(pid, false);
            }
        }
    }

    private static void killGroup(Syscalls sys, int pid) {
        try {
            sys.kill(-pid, 9);
        } catch (SyscallException e) {
            // ESRCH: the group is empty
        }
    }

    private static void closeAll(Syscalls sys, int... fds) {
        for (int fd : fds) {
            try {
                sys.close(fd);
            } catch (SyscallException ignored) {
                // closed already
            }
        }
    }

    private static void drain(Syscalls sys, int fd, ByteArrayOutputStream out, int keep) {
        byte[] b = new byte[8192];
        try {
            for (int n; (n = sys.read(fd, b, 0, b.length)) > 0; ) {
                synchronized (out) {
                    int k = Math.min(n, keep - out.size());
                    if (k > 0) out.write(b, 0, k);
                }
            }
        } catch (SyscallException ignored) {
            // it is gone
        } finally {
            closeAll(sys, fd);
        }
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
