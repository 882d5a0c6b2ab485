package io.jcontainer.linux.security;

import io.jcontainer.Stdio;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SECURITY.md rows 26 and 18 (TIOCSTI): a payload handed the JVM's terminal cannot type into it.
 * The test opens a real pty pair and gives its slave to the container as stdin/stdout; the container
 * runs in a new session, so that tty is not its controlling terminal and TIOCSTI fails.
 */
@RequiresRoot
class TerminalTest extends AttackTest {

    @Test
    void tiocstiIntoAnInheritedTerminalFails() throws Throwable {
        try (Pty pty = Pty.open()) {
            var b = probe("tiocsti", "0").stdin(Stdio.file(pty.slave));
            assertThat(run(b).verdict()).isIn("EPERM", "EIO");
            assertThat(run(probe("tiocsti-high", "0").stdin(Stdio.file(pty.slave))).verdict()).isIn("EPERM", "EIO", "ENOTTY");
            assertThat(run(probe("tioclinux", "0").stdin(Stdio.file(pty.slave))).verdict()).isIn("EPERM", "EINVAL", "ENOTTY");
        }
    }

    /** Without a terminal handed in, there is no controlling terminal to reach at all. */
    @Test
    void noControllingTerminal() {
        assertThat(run("read", "/dev/tty").verdict()).isEqualTo("ENXIO");
    }

    /** A pty pair opened through libc (posix_openpt/grantpt/unlockpt/ptsname). */
    record Pty(int master, Path slave) implements AutoCloseable {
        private static final Linker L = Linker.nativeLinker();

        private static MethodHandle fn(String name, FunctionDescriptor d) {
            return L.downcallHandle(L.defaultLookup().find(name).orElseThrow(), d);
        }

        static Pty open() throws Throwable {
            int m = (int) fn("posix_openpt", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)).invokeExact(2 | 0x100 | 02000000);
            assertThat(m).isNotNegative();
            int g = (int) fn("grantpt", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)).invokeExact(m);
            int u = (int) fn("unlockpt", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)).invokeExact(m);
            assertThat(g | u).isZero();
            MemorySegment name = (MemorySegment) fn("ptsname", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT)).invokeExact(m);
            return new Pty(m, Path.of(name.reinterpret(64).getString(0)));
        }

        @Override
        public void close() throws Exception {
            try {
                int r = (int) fn("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)).invokeExact(master);
            } catch (Throwable t) {
                throw new Exception(t);
            }
        }
    }
}
