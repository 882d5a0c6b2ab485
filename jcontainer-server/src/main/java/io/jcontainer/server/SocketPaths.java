package io.jcontainer.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Where the unix socket goes and whether it may go there. Whoever can write the socket's
 * directory can put their own socket in its place and collect what clients send (registry
 * credentials, for one), so the directory must be ours (or root's) and writable by its owner only.
 */
final class SocketPaths {
    private SocketPaths() {
    }

    /** root: /run/jcontainer/docker.sock; rootless: $XDG_RUNTIME_DIR/jcontainer/docker.sock. */
    static Path defaultSocket() {
        if (uid() == 0) return Path.of("/run/jcontainer/docker.sock");
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg == null || xdg.isBlank())
            throw new ApiServerException("no place for the API socket: XDG_RUNTIME_DIR is not set (a rootless service puts its socket in "
                    + "$XDG_RUNTIME_DIR/jcontainer) — log in through a session that sets it, or give a socket path (-H unix:///PATH)");
        return Path.of(xdg, "jcontainer", "docker.sock");
    }

    static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new ApiServerException("cannot read this process's uid from /proc/self: " + e.getMessage(), e);
        }
    }

    /**
     * Makes the socket's directory if missing (owner-only), refuses one others can write, and
     * removes a stale socket left by a server that died (a live one is refused: two servers
     * cannot share a path).
     */
    static void prepare(Path socket) {
        Path dir = socket.toAbsolutePath().getParent();
        try {
            if (!Files.exists(dir)) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class);
            int owner = (Integer) Files.getAttribute(dir, "unix:uid");
            int me = uid();
            if (owner != me && owner != 0)
                throw new ApiServerException("refusing to put the API socket in " + dir + ": it belongs to uid " + owner + ", not to us (uid " + me
                        + ") — another user could replace the socket; use a directory of your own");
            Set<PosixFilePermission> p = a.permissions();
            if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE))
                throw new ApiServerException("refusing to put the API socket in " + dir + ": others can write that directory (mode "
                        + PosixFilePermissions.toString(p) + ") and could replace the socket — use a directory only its owner can write (chmod go-w)");
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                PosixFileAttributes s = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!s.isOther())
                    throw new ApiServerException("refusing to replace " + socket + ": it exists and is not a socket");
                if (listening(socket)) throw new ApiServerException("the API socket " + socket + " is in use: another server listens on it");
                Files.delete(socket);
            }
        } catch (IOException e) {
            throw new ApiServerException("cannot prepare the API socket " + socket + ": " + e, e);
        }
    }

    /** After bind: only the owner may connect (the socket grants full control of the user's containers). */
    static void restrict(Path socket) {
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new ApiServerException("cannot chmod 0600 the API socket " + socket + ": " + e, e);
        }
    }

    private static boolean listening(Path socket) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
