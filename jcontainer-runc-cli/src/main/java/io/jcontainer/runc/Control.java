package io.jcontainer.runc;

import io.jcontainer.Signal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The control socket of a container kept by a foreground {@code run}: {@code kill},
 * {@code pause} and {@code resume} from other runc processes reach the one process holding the
 * container's handle. One line a request ({@code kill 15}, {@code kill 9 all}, {@code pause},
 * {@code resume}, {@code update JSON}), one line back ({@code ok} or {@code error MESSAGE}). The socket lives in the
 * container's record directory (0711, the socket 0600): only its owner can talk to it.
 */
final class Control implements AutoCloseable {
    /** What the holder of the container does for a request. */
    interface Handler {
        void kill(Signal s, boolean all);

        void pause();

        void resume();

        /** {@code update}: new limits, as a {@code linux.resources} JSON object. */
        void update(String resourcesJson);
    }

    private final ServerSocketChannel server;
    private final Path path;

    private Control(ServerSocketChannel server, Path path) {
        this.server = server;
        this.path = path;
    }

    static Control serve(Path path, Handler h) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Control c = new Control(s, path);
        // a platform thread: a virtual one's blocking accept would start NIO's poller threads,
        // about 50 ms of a foreground run that nobody may ever signal
        Thread t = new Thread(() -> c.loop(h), "runc-control");
        t.setDaemon(true);
        t.start();
        return c;
    }

    private void loop(Handler h) {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
                OutputStream out = Channels.newOutputStream(ch);
                String line = in.readLine();
                String reply;
                try {
                    String[] w = line == null ? new String[]{""} : line.split(" ");
                    switch (w[0]) {
                        case "kill" -> h.kill(Signal.parse(w[1]), w.length > 2 && w[2].equals("all"));
                        case "pause" -> h.pause();
                        case "resume" -> h.resume();
                        case "update" -> h.update(line.substring("update ".length()));
                        default -> throw new RuncException("unknown request '" + line + "'");
                    }
                    reply = "ok";
                } catch (RuntimeException e) {
                    reply = "error " + String.valueOf(e.getMessage()).replace('\n', ' ');
                }
                out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                if (!server.isOpen()) return;
            }
        }
    }

    /** Sends a request to the process keeping container {@code dir}; its error becomes ours. */
    static void request(Path dir, String line) {
        Path sock = dir.resolve(Store.SOCKET);
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String reply = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8)).readLine();
            if (reply == null) throw new RuncException("the process keeping the container closed its control socket");
            if (reply.startsWith("error ")) throw new RuncException(reply.substring(6));
        } catch (IOException e) {
            throw new RuncException("container not running (its control socket " + sock + ": " + e.getMessage() + ")");
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the record directory goes with it
        }
    }

}
