package io.jcontainer.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The smallest registry (distribution API v2, in memory, on loopback) that {@code push} and
 * {@code pull} get through: the AOT training's stand-in for the local registry a build pulls its
 * base image from, so that the build verb's cache holds the pull path too. Not a registry for
 * anything else: no auth, no checks beyond the digest of what is pushed.
 *
 * <p>It runs in a JVM of its own ({@link #main}): in the training JVM its server classes would
 * land in the AOT cache, and every verb started with that cache would load them.
 */
final class TrainingRegistry implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Map<String, String> manifestTypes = new ConcurrentHashMap<>();
    private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private TrainingRegistry(HttpServer server) {
        this.server = server;
    }

    /** Serves on a loopback port, prints it, and stops when standard input closes. */
    public static void main(String[] args) throws IOException {
        try (TrainingRegistry r = start()) {
            System.out.println(r.port());
            System.out.flush();
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    static TrainingRegistry start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        TrainingRegistry r = new TrainingRegistry(s);
        s.createContext("/", r::handle);
        s.start();
        return r;
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String method = x.getRequestMethod();
            String path = x.getRequestURI().getPath();
            String query = x.getRequestURI().getRawQuery();
            byte[] body = readAll(x.getRequestBody());
            x.getResponseHeaders().add("Docker-Distribution-API-Version", "registry/2.0");
            if (path.equals("/v2/") || path.equals("/v2")) {
                send(x, 200, "{}".getBytes(), "application/json", method);
                return;
            }
            int up = path.indexOf("/blobs/uploads/");
            if (up > 0) {
                String repo = path.substring(4, up);
                String id = path.substring(up + "/blobs/uploads/".length());
                if (method.equals("POST")) {
                    // a cross-repository mount is never available here: upload instead (202)
                    String nid = Long.toString(ids.incrementAndGet());
                    uploads.put(nid, new ByteArrayOutputStream());
                    x.getResponseHeaders().add("Location", "/v2/" + repo + "/blobs/uploads/" + nid);
                    x.getResponseHeaders().add("Range", "0-0");
                    send(x, 202, new byte[0], null, method);
                    return;
                }
                ByteArrayOutputStream buf = uploads.get(id);
                if (buf == null) {
                    send(x, 404, new byte[0], null, method);
                    return;
                }
                buf.write(body);
                if (method.equals("PATCH")) {
                    x.getResponseHeaders().add("Location", "/v2/" + repo + "/blobs/uploads/" + id);
                    x.getResponseHeaders().add("Range", "0-" + Math.max(0, buf.size() - 1));
                    send(x, 202, new byte[0], null, method);
                    return;
                }
                String digest = param(query, "digest");
                byte[] content = buf.toByteArray();
                uploads.remove(id);
                if (digest == null || !digest.equals(sha256(content))) {
                    send(x, 400, "{\"errors\":[{\"code\":\"DIGEST_INVALID\"}]}".getBytes(), "application/json", method);
                    return;
                }
                blobs.put(digest, content);
                x.getResponseHeaders().add("Location", "/v2/" + repo + "/blobs/" + digest);
                x.getResponseHeaders().add("Docker-Content-Digest", digest);
                send(x, 201, new byte[0], null, method);
                return;
            }
            int b = path.indexOf("/blobs/");
            if (b > 0) {
                byte[] blob = blobs.get(path.substring(b + "/blobs/".length()));
                if (blob == null) send(x, 404, new byte[0], null, method);
                else {
                    x.getResponseHeaders().add("Docker-Content-Digest", path.substring(b + "/blobs/".length()));
                    send(x, 200, blob, "application/octet-stream", method);
                }
                return;
            }
            int m = path.indexOf("/manifests/");
            if (m > 0) {
                String key = path.substring(4, m) + "@" + path.substring(m + "/manifests/".length());
                if (method.equals("PUT")) {
                    String digest = sha256(body);
                    String type = x.getRequestHeaders().getFirst("Content-Type");
                    for (String k : new String[]{key, path.substring(4, m) + "@" + digest}) {
                        manifests.put(k, body);
                        manifestTypes.put(k, type == null ? "application/vnd.oci.image.manifest.v1+json" : type);
                    }
                    x.getResponseHeaders().add("Docker-Content-Digest", digest);
                    x.getResponseHeaders().add("Location", path);
                    send(x, 201, new byte[0], null, method);
                    return;
                }
                byte[] manifest = manifests.get(key);
                if (manifest == null) send(x, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}".getBytes(), "application/json", method);
                else {
                    x.getResponseHeaders().add("Docker-Content-Digest", sha256(manifest));
                    send(x, 200, manifest, manifestTypes.get(key), method);
                }
                return;
            }
            send(x, 404, new byte[0], null, method);
        }
    }

    private static void send(HttpExchange x, int status, byte[] body, String type, String method) throws IOException {
        if (type != null) x.getResponseHeaders().add("Content-Type", type);
        if (method.equals("HEAD")) {
            x.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
            x.sendResponseHeaders(status, -1);
            return;
        }
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) x.getResponseBody().write(body);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    private static String param(String query, String name) {
        if (query == null) return null;
        for (String p : query.split("&")) {
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).equals(name)) return java.net.URLDecoder.decode(p.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
        }
        return null;
    }

    private static String sha256(byte[] b) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
