package io.jcontainer.linux.attach;

import io.jcontainer.ContainerException;
import io.jcontainer.ContainerExit;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One client of a detached container's monitor ({@code docker attach}): the container's output from
 * now on, its exit, and — when it was started with {@code -i} — a way to its stdin and, with a
 * terminal, to its window size. Closing the session detaches; the container runs on. Obtain one
 * with {@link io.jcontainer.linux.state.ContainerStore#attach}. Wire format: {@link AttachProtocol}.
 */
public final class AttachSession implements io.jcontainer.lifecycle.AttachSession {
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private final Path socket;
    private int flags; // the monitor's HELLO; -1 until read (a created container's monitor greets once it starts)

    private AttachSession(SocketChannel channel, int flags, Path socket) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
        this.flags = flags;
        this.socket = socket;
    }

    /**
     * Connects to the monitor of a created container that waits for its start: the kernel queues
     * the connection, and the monitor accepts it — before it reads any output — once the
     * container starts; its HELLO is read then, at the session's first use. So start -a sees
     * all of the output.
     */
    public static AttachSession connectBeforeStart(Path socket) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            connect(ch, socket);
            AttachSession s = new AttachSession(ch, -1, socket);
            ch = null;
            return s;
        } catch (IOException e) {
            throw new ContainerException("attach " + socket + ": " + e.getMessage(), e);
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing to undo
                }
            }
        }
    }

    /** The HELLO's flags, read now if they were not yet. */
    private synchronized int flags() {
        if (flags >= 0) return flags;
        try {
            AttachProtocol.Frame hello = AttachProtocol.read(in);
            if (hello == null || hello.type() != AttachProtocol.HELLO || hello.payload().length != 4)
                throw new ContainerException("attach " + socket + ": the monitor did not greet (the container ended before its start,"
                        + " or it has too many clients)");
            return flags = hello.int32(0);
        } catch (IOException e) {
            throw new ContainerException("attach " + socket + ": " + e.getMessage(), e);
        }
    }

    /** Connects to the monitor's socket and reads its HELLO. */
    public static AttachSession connect(Path socket) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            connect(ch, socket);
            AttachProtocol.Frame hello = AttachProtocol.read(Channels.newInputStream(ch));
            if (hello == null || hello.type() != AttachProtocol.HELLO || hello.payload().length != 4)
                throw new ContainerException("attach " + socket + ": the monitor did not greet (it may have too many clients)");
            AttachSession s = new AttachSession(ch, hello.int32(0), socket);
            ch = null;
            return s;
        } catch (IOException e) {
            throw new ContainerException("attach " + socket + ": " + e.getMessage(), e);
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing to undo
                }
            }
        }
    }

    /**
     * sun_path holds 108 bytes with the NUL, and the JDK takes at most 106 of path; a longer path
     * (a deep $XDG_RUNTIME_DIR or state directory, or a temp dir one digit longer) is reached
     * through its directory's fd, as the monitor binds it.
     */
    private static void connect(SocketChannel ch, Path socket) throws IOException {
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length <= 106) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return;
        }
        Syscalls sys = NativeSyscalls.INSTANCE;
        int dir = sys.open(socket.getParent().toString(), O_PATH | Syscalls.O_CLOEXEC, 0);
        try {
            ch.connect(UnixDomainSocketAddress.of("/proc/self/fd/" + dir + "/" + socket.getFileName()));
        } finally {
            sys.close(dir);
        }
    }

    /** Whether the container has a terminal (its output is all stdout, raw). */
    public boolean tty() {
        return (flags() & AttachProtocol.FLAG_TTY) != 0;
    }

    /** Whether its monitor holds its stdin (it was started with -i): input sent goes to it. */
    public boolean stdinOpen() {
        return (flags() & AttachProtocol.FLAG_STDIN) != 0;
    }

    /** Sends bytes to the container's stdin (in frames of at most 64 KiB). */
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, AttachProtocol.MAX_INPUT);
            out.write(AttachProtocol.frame(AttachProtocol.STDIN, b, off, n));
            off += n;
            len -= n;
        }
    }

    /** An OutputStream over {@link #write}. */
    public OutputStream stdin() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                AttachSession.this.write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                AttachSession.this.write(b, off, len);
            }
        };
    }

    /**
     * Ends the container's stdin: an empty STDIN frame, which the monitor takes as its input's
     * end (a monitor of an earlier jcontainer ignores it: the container's stdin stays open).
     */
    @Override
    public synchronized void closeStdin() throws IOException {
        out.write(AttachProtocol.frame(AttachProtocol.STDIN, new byte[0], 0, 0));
    }

    /** Sets the container's terminal size (the kernel sends it SIGWINCH); ignored without a terminal. */
    public synchronized void resize(int rows, int cols) {
        try {
            out.write(AttachProtocol.resize(rows, cols));
        } catch (IOException e) {
            throw new UncheckedIOException("attach: resize", e);
        }
    }

    /**
     * Copies the container's output to {@code stdout} and {@code stderr} until it ends (returns
     * its exit) or the session ends first (returns empty: detached by {@link #close}, or
     * disconnected by the monitor because this client did not keep up).
     */
    public Optional<ContainerExit> copyOutput(OutputStream stdout, OutputStream stderr) throws IOException {
        flags(); // the HELLO comes first (for a session opened before the start, only now)
        try {
            for (AttachProtocol.Frame f; (f = AttachProtocol.read(in)) != null; ) {
                switch (f.type()) {
                    case AttachProtocol.STDOUT -> {
                        stdout.write(f.payload());
                        stdout.flush();
                    }
                    case AttachProtocol.STDERR -> {
                        stderr.write(f.payload());
                        stderr.flush();
                    }
                    case AttachProtocol.EXIT -> {
                        return Optional.of(exit(f.int32(0), f.int32(4)));
                    }
                    default -> {
                        // a newer monitor's frame: skip it
                    }
                }
            }
        } catch (java.nio.channels.ClosedChannelException e) {
            return Optional.empty(); // detached
        } catch (java.io.EOFException e) {
            return Optional.empty(); // dropped by the monitor in the middle of a frame it could not write whole
        }
        return Optional.empty();
    }

    /** si_code, si_status as waitid reports them (CLD_EXITED 1, CLD_KILLED 2, CLD_DUMPED 3). */
    static ContainerExit exit(int code, int status) {
        return switch (code) {
            case 1 -> ContainerExit.exited(status);
            case 3 -> new ContainerExit(0, status, true, false);
            default -> ContainerExit.killed(status);
        };
    }

    /** Detaches: the container runs on. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    private static final int O_PATH = 010000000; // the same on x86_64 and aarch64
}
