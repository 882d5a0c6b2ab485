package io.jcontainer.samples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jcontainer.ContainerException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * An app-server style endpoint: {@code POST /run} with a shell script as the body runs it in a
 * fresh untrusted container ({@link JobRunner}) with a deadline and answers a JSON object with
 * its exit code, output and whether the deadline killed it. Bounded on every side: the script's
 * size (413), the number of jobs at once (429), the deadline (at most {@link #MAX_DEADLINE}),
 * the output ({@link JobRunner#OUTPUT_LIMIT}).
 *
 * <pre>
 * samples/run endpoint 8080 &amp;
 * curl --data-binary 'echo hi; exit 3' 'http://127.0.0.1:8080/run?deadline=2'
 * {"exitCode":3,"timedOut":false,"oomKilled":false,"truncated":false,"millis":9,"stdout":"hi\n","stderr":""}
 * </pre>
 */
public final class ContainerEndpoint implements AutoCloseable {
    public static final int MAX_SCRIPT = 64 * 1024;
    public static final Duration MAX_DEADLINE = Duration.ofSeconds(30);

    private final HttpServer server;
    private final JobRunner runner;
    private final Semaphore slots;

    /** Listens on 127.0.0.1:{@code port} (0: any free port); at most {@code maxJobs} containers at once. */
    public ContainerEndpoint(int port, int maxJobs, JobRunner runner) throws IOException {
        this.runner = runner;
        this.slots = new Semaphore(maxJobs);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.createContext("/run", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                reply(ex, 405, "{\"message\":\"POST a shell script to /run\"}");
                return;
            }
            byte[] script = readAtMost(ex.getRequestBody(), MAX_SCRIPT + 1);
            if (script.length > MAX_SCRIPT) {
                reply(ex, 413, "{\"message\":\"script larger than " + MAX_SCRIPT + " bytes\"}");
                return;
            }
            Duration deadline;
            try {
                deadline = deadline(ex.getRequestURI().getQuery());
            } catch (IllegalArgumentException e) {
                reply(ex, 400, "{\"message\":" + json(e.getMessage()) + "}");
                return;
            }
            if (!slots.tryAcquire()) {
                reply(ex, 429, "{\"message\":\"too many jobs running; try again\"}");
                return;
            }
            try {
                JobRunner.JobResult r = runner.run(new String(script, StandardCharsets.UTF_8), deadline);
                reply(ex, 200, "{\"exitCode\":" + r.exitCode() + ",\"timedOut\":" + r.timedOut() + ",\"oomKilled\":"
                        + r.oomKilled() + ",\"truncated\":" + r.truncated() + ",\"millis\":" + r.took().toMillis()
                        + ",\"stdout\":" + json(r.stdout()) + ",\"stderr\":" + json(r.stderr()) + "}");
            } catch (ContainerException e) {
                reply(ex, 500, "{\"message\":" + json(e.getMessage()) + "}");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply(ex, 503, "{\"message\":\"shutting down\"}");
            } finally {
                slots.release();
            }
        }
    }

    /** {@code deadline=SECONDS} from the query, 10 s when absent, never more than MAX_DEADLINE. */
    static Duration deadline(String query) {
        if (query != null) for (String kv : query.split("&")) {
            if (kv.startsWith("deadline=")) {
                String v = kv.substring("deadline=".length());
                double s;
                try {
                    s = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("deadline must be a number of seconds: " + v);
                }
                if (!(s > 0) || s > MAX_DEADLINE.toSeconds())
                    throw new IllegalArgumentException("deadline must be above 0 and at most " + MAX_DEADLINE.toSeconds() + " s: " + v);
                return Duration.ofMillis((long) (s * 1000));
            }
        }
        return Duration.ofSeconds(10);
    }

    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        byte[] b = in.readNBytes(max);
        in.transferTo(OutputStream.nullOutputStream()); // let the client finish sending before we answer
        return b;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    /** A JSON string literal (RFC 8259 section 7). */
    static String json(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** {@code samples/run endpoint [PORT]}: serves until killed. */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        ContainerEndpoint e = new ContainerEndpoint(port, Runtime.getRuntime().availableProcessors() * 2, new JobRunner(null));
        System.err.println("POST a shell script to http://127.0.0.1:" + e.port() + "/run?deadline=SECONDS");
        Thread.currentThread().join();
    }
}
