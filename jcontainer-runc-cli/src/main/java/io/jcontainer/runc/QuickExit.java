package io.jcontainer.runc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * How a runc command ends. The JVM's own exit waits up to 300 ms for every thread that is blocked
 * in a native call to come back (HotSpot's VM_Exit::wait_for_threads_in_native_to_block): the
 * runtime's supervisor thread sits in epoll_wait, NIO's poller in its own. Every engine waits on
 * every runc command (podman runs five per container), so that wait alone was a third of a
 * {@code run -b}. A command has nothing left to do once its status is known — records and pid
 * files are renamed into place, logs are appended line by line, containers are kept by their
 * monitors — so after flushing stdout and stderr it ends with {@code _exit(2)}.
 *
 * <p>No shutdown hook of the library is skipped that a runc command needs: the only one is the
 * bridge networks' port reaper, and runc containers never use jcontainer's bridges (the
 * config's namespaces are theirs). The AOT training command exits the JVM's way: its cache is
 * written at exit.
 */
final class QuickExit {
    private QuickExit() {
    }

    /** A handle to libc's {@code _exit}, or null where it cannot be linked (then the JVM's exit). */
    static MethodHandle link() {
        try {
            Linker l = Linker.nativeLinker();
            return l.defaultLookup().find("_exit")
                    .map(a -> l.downcallHandle(a, FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    static void exit(int status) {
        System.out.flush();
        System.err.flush();
        MethodHandle exit = link();
        if (exit != null) {
            try {
                exit.invokeExact(status);
            } catch (Throwable e) {
                // fall through to the JVM's exit
            }
        }
        System.exit(status);
    }
}
