package io.jcontainer.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.image.DigestMismatchException;
import io.jcontainer.image.ImageException;
import io.jcontainer.image.ImageNotFoundException;
import io.jcontainer.image.InvalidImageException;
import io.jcontainer.image.RegistryDeniedException;
import io.jcontainer.image.RegistryException;
import io.jcontainer.oci.Descriptor;
import io.jcontainer.oci.Digest;
import io.jcontainer.oci.ImageManifest;
import io.jcontainer.oci.Json;
import io.jcontainer.oci.VerifyingInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the OCI distribution API (and Docker's v2 registry API). One place owns the things
 * every request needs: the auth challenge (anonymous or Basic credentials exchanged for a Bearer
 * token per scope, cached until it expires; or Basic directly), redirects, retries and the
 * mapping of answers to typed errors.
 *
 * <p><b>Redirects</b> are followed here, never by {@link HttpClient}: blob downloads redirect to
 * storage hosts, and the {@code Authorization} header is sent only to the registry's own
 * scheme/host/port (SECURITY.md rows 34, 44). At most 10 hops.
 */
public final class RegistryClient implements AutoCloseable {

    private static final int MAX_REDIRECTS = 10;
    private static final int ATTEMPTS = 3;
    private static final long CHUNK = 16L << 20;
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final Endpoints endpoints;
    private final DockerConfig dockerConfig;
    /** Per-request credentials by registry host, over dockerConfig for those hosts only. */
    private final Map<String, DockerConfig.Credentials> overrides;
    /** The client whose HTTP clients this per-request view uses (null: this one owns its own). */
    private final RegistryClient shared;
    /** For https: made at the first https request (its TLS setup, the trust store read, is most of a pull's CPU). */
    private HttpClient https;
    /** For plain-http registries (127.0.0.1:5000...): no trust store, and no certificate it would ever accept. */
    private HttpClient plain;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, URI> bases = new ConcurrentHashMap<>();

    private record Token(String header, Instant expires) {
        boolean valid() {
            return expires == null || Instant.now().isBefore(expires.minusSeconds(10));
        }
    }

    /** A manifest or index as fetched: parsed, with the digest of its bytes. */
    public record Fetched(ImageManifest manifest, Digest digest) {
    }

    public RegistryClient(Endpoints endpoints, DockerConfig dockerConfig) {
        this(endpoints, dockerConfig, Map.of(), null);
    }

    private RegistryClient(Endpoints endpoints, DockerConfig dockerConfig, Map<String, DockerConfig.Credentials> overrides, RegistryClient shared) {
        this.endpoints = endpoints;
        this.dockerConfig = dockerConfig;
        this.overrides = Map.copyOf(overrides);
        this.shared = shared;
    }

    /**
     * A view for one request that authenticates to the registries in {@code credentials} with
     * those (the stored config still answers for every other registry). It has its own token
     * cache — a token got with one caller's credentials is never reused by another caller — and
     * shares this client's connections. Closing it leaves this client open.
     */
    public RegistryClient withCredentials(Map<String, DockerConfig.Credentials> credentials) {
        return new RegistryClient(endpoints, dockerConfig, credentials, shared != null ? shared : this);
    }

    /**
     * The client for {@code uri}'s scheme. The plain-http one has an SSLContext with no trust
     * manager at all, so an https URL given to it by mistake fails its handshake (closed), never
     * skips verification; it exists because java.net.http sets up a context in every client.
     */
    private synchronized HttpClient client(URI uri) {
        if (shared != null) return shared.client(uri);
        boolean tls = !"http".equalsIgnoreCase(uri.getScheme());
        if (tls && https == null) https = builder().build();
        if (!tls && plain == null) {
            try {
                javax.net.ssl.SSLContext none = javax.net.ssl.SSLContext.getInstance("TLS");
                none.init(new javax.net.ssl.KeyManager[0], new javax.net.ssl.TrustManager[0], null);
                plain = builder().sslContext(none).build();
            } catch (java.security.GeneralSecurityException e) {
                plain = builder().build();
            }
        }
        return tls ? https : plain;
    }

    private static HttpClient.Builder builder() {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30));
    }

    // ---- API -------------------------------------------------------------------------------

    /** {@code GET /v2/}: reachable, speaks the API, and the credentials (if any) are accepted. */
    public void ping(String registry) {
        try (var r = send(registry, "GET", "/v2/", null, Map.of(), null, "")) {
            expect(r, registry + " /v2/", 200);
        }
    }

    /** Checks {@code username}/{@code password} against the registry without storing them. */
    public void checkLogin(String registry, String username, String password) {
        var creds = new DockerConfig.Credentials(username, password, false);
        tokens.keySet().removeIf(k -> k.startsWith(registry + " "));
        try (var r = send(registry, "GET", "/v2/", null, Map.of(), null, "", creds, true)) {
            expect(r, "login to " + registry, 200);
        } finally {
            tokens.keySet().removeIf(k -> k.startsWith(registry + " "));
        }
    }

    public Fetched manifest(String registry, String repository, String reference) {
        String what = registry + "/" + repository + ":" + reference;
        try (var r = send(registry, "GET", "/v2/" + repository + "/manifests/" + reference,
                null, Map.of("Accept", io.jcontainer.oci.MediaTypes.ACCEPT_MANIFESTS), null, pull(repository))) {
            expect(r, "manifest " + what, 200);
            long declared = r.response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > ImageManifest.MAX_BYTES)
                throw new InvalidImageException("manifest " + what + " is " + declared + " bytes, more than 4 MiB: refused");
            byte[] body = r.body().readNBytes(ImageManifest.MAX_BYTES + 1);
            String type = r.response.headers().firstValue("Content-Type").orElse(null);
            ImageManifest m = ImageManifest.parse(body, type, "manifest " + what);
            Digest d = Digest.sha256(body);
            if (reference.contains(":")) {
                Digest asked = Digest.parse(reference);
                if (!asked.equals(d)) throw new DigestMismatchException("manifest " + what + " has digest " + d);
            }
            return new Fetched(m, d);
        } catch (IOException e) {
            throw new RegistryException("reading manifest " + what + ": " + e, e);
        }
    }

    /** A small blob (a config), read whole and verified; at most {@code limit} bytes. */
    public byte[] blobBytes(String registry, String repository, Descriptor d, int limit) {
        if (d.size() > limit) throw new InvalidImageException("blob " + d.digest() + " is " + d.size() + " bytes, more than " + limit);
        String what = "blob " + registry + "/" + repository + "@" + d.digest();
        try (var r = send(registry, "GET", "/v2/" + repository + "/blobs/" + d.digest(), null, Map.of(), null, pull(repository))) {
            expect(r, what, 200);
            var in = new VerifyingInputStream(r.body(), d.digest(), d.size(), what);
            byte[] b = in.readNBytes(limit + 1);
            in.drainAndVerify();
            return b;
        } catch (IOException e) {
            throw new RegistryException("reading " + what + ": " + e, e);
        }
    }

    /**
     * Downloads a blob into {@code partial}, appending to what an earlier, interrupted attempt
     * left there ({@code Range}), hashing while writing, with retries. On return the file holds
     * exactly the blob, verified. Returns the offset the first attempt resumed from.
     */
    public long fetchBlob(String registry, String repository, Descriptor d, Path partial, LongConsumer progress) {
        return fetchBlob(registry, repository, d, partial, progress, null);
    }

    /**
     * Receives a blob's bytes as they arrive (from its first byte on), for work done while
     * downloading — unpacking a layer. A tap never makes the download fail: it is ended when the
     * blob arrived whole in one attempt, and aborted when it cannot see the blob from the first
     * byte to the last in order (a resumed download, a retry, a failure); the blob itself is still
     * verified and stored as without a tap.
     */
    public interface Tap {
        void write(byte[] b, int off, int len) throws IOException;

        void end() throws IOException;

        void abort(String why);
    }

    /** {@link #fetchBlob(String, String, Descriptor, Path, LongConsumer)} with a {@link Tap} (may be null). */
    public long fetchBlob(String registry, String repository, Descriptor d, Path partial, LongConsumer progress, Tap tap) {
        try {
            long r = fetchBlob0(registry, repository, d, partial, progress, tap);
            if (tap != null) tap.end();
            return r;
        } catch (IOException e) {
            throw new RegistryException("handing blob " + d.digest() + " on: " + e, e);
        } catch (RuntimeException e) {
            if (tap != null) tap.abort("download failed: " + e.getMessage());
            throw e;
        }
    }

    private long fetchBlob0(String registry, String repository, Descriptor d, Path partial, LongConsumer progress, Tap tapArg) {
        Tap tap = tapArg;
        String what = "blob " + registry + "/" + repository + "@" + d.digest();
        long resumedFrom = -1;
        RuntimeException last = null;
        boolean restartedAfterMismatch = false;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                long have = Files.exists(partial) ? Files.size(partial) : 0;
                if (have > d.size()) {
                    Files.delete(partial);
                    have = 0;
                }
                if (resumedFrom < 0) resumedFrom = have;
                MessageDigest md = d.digest().newMessageDigest();
                if (have > 0) try (InputStream old = Files.newInputStream(partial)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = old.read(buf)) > 0) md.update(buf, 0, n);
                }
                Map<String, String> headers = have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of();
                try (var r = send(registry, "GET", "/v2/" + repository + "/blobs/" + d.digest(), null, headers, null, pull(repository))) {
                    if (have > 0 && r.status() == 200) {     // the server ignored Range: start over
                        have = 0;
                        md = d.digest().newMessageDigest();
                        Files.deleteIfExists(partial);
                    } else if (have > 0 && r.status() == 416) {
                        Files.deleteIfExists(partial);
                        continue;
                    } else {
                        expect(r, what, have > 0 ? 206 : 200);
                        if (have > 0 && !r.response.headers().firstValue("Content-Range").orElse("").startsWith("bytes " + have + "-")) {
                            Files.deleteIfExists(partial);          // not the range we asked for: start over
                            continue;
                        }
                    }
                    if (tap != null && (have > 0 || attempt > 1)) {
                        tap.abort("the download " + (have > 0 ? "resumed at byte " + have : "was retried"));
                        tap = null;
                    }
                    var in = new VerifyingInputStream(r.body(), d.digest(), d.size(), what, have, md);
                    try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                        byte[] buf = new byte[1 << 16];
                        int n;
                        long done = have;
                        // whole 64 KiB blocks (the client hands the body on in ~16 KiB pieces): a
                        // quarter of the writes, and of the hand-offs to the unpacking thread
                        while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                            out.write(buf, 0, n);
                            if (tap != null) tap.write(buf, 0, n);
                            done += n;
                            progress.accept(done);
                        }
                    }
                    return resumedFrom;
                }
            } catch (DigestMismatchException e) {
                // What we had (or got) is wrong: never keep it. Once more from zero, then give up.
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // reported below
                }
                if (restartedAfterMismatch) throw e;
                restartedAfterMismatch = true;
                last = e;
            } catch (IOException e) {
                last = new RegistryException("downloading " + what + " (attempt " + attempt + "): " + e, e);
                sleep(attempt);
            } catch (RegistryException e) {
                if (e.status() != 0 && e.status() < 500) throw e;
                last = e;
                sleep(attempt);
            }
        }
        throw Objects.requireNonNull(last);
    }

    public boolean blobExists(String registry, String repository, Digest digest) {
        try (var r = send(registry, "HEAD", "/v2/" + repository + "/blobs/" + digest, null, Map.of(), null, push(repository))) {
            if (r.status() == 404) return false;
            expect(r, "blob " + digest, 200);
            return true;
        }
    }

    /** Cross-repository mount; true when the registry mounted it (201), false when it wants an upload. */
    public boolean mount(String registry, String repository, Digest digest, String fromRepository) {
        String path = "/v2/" + repository + "/blobs/uploads/?mount=" + enc(digest.toString()) + "&from=" + enc(fromRepository);
        try (var r = send(registry, "POST", path, null, Map.of(), BodyPublishers::noBody, push(repository) + " " + pull(fromRepository))) {
            if (r.status() == 201) return true;
            if (r.status() == 202) {
                cancelUpload(registry, repository, r);
                return false;
            }
            expect(r, "mount of " + digest, 201);
            return false;
        }
    }

    private void cancelUpload(String registry, String repository, Response r) {
        r.response.headers().firstValue("Location").ifPresent(loc -> {
            try (var d = send(registry, "DELETE", null, r.uri.resolve(loc), Map.of(), null, push(repository))) {
                // an unused upload session: the registry would expire it anyway
            } catch (RuntimeException ignored) {
                // best effort
            }
        });
    }

    /** Uploads {@code file} as blob {@code d}: one PUT up to 16 MiB, PATCH chunks above. */
    public void upload(String registry, String repository, Descriptor d, Path file, LongConsumer progress) {
        String what = "upload of " + d.digest() + " to " + registry + "/" + repository;
        URI location;
        try (var r = send(registry, "POST", "/v2/" + repository + "/blobs/uploads/", null, Map.of(), BodyPublishers::noBody, push(repository))) {
            expect(r, what, 202);
            location = r.uri.resolve(r.response.headers().firstValue("Location")
                    .orElseThrow(() -> new RegistryException(what + ": no Location in the answer", r.status(), List.of())));
        }
        long size = d.size();
        long offset = 0;
        if (size > CHUNK) {
            while (offset < size) {
                long len = Math.min(CHUNK, size - offset);
                long start = offset;
                try (var r = send(registry, "PATCH", null, location,
                        Map.of("Content-Type", "application/octet-stream", "Content-Range", start + "-" + (start + len - 1)),
                        () -> slice(file, start, len), push(repository))) {
                    expect(r, what, 202);
                    location = r.uri.resolve(r.response.headers().firstValue("Location").orElse(location.toString()));
                }
                offset += len;
                progress.accept(offset);
            }
        }
        URI put = URI.create(location + (location.toString().contains("?") ? "&" : "?") + "digest=" + enc(d.digest().toString()));
        long from = offset;
        try (var r = send(registry, "PUT", null, put, Map.of("Content-Type", "application/octet-stream"),
                () -> from >= size ? BodyPublishers.noBody() : slice(file, from, size - from), push(repository))) {
            expect(r, what, 201);
        }
        progress.accept(size);
    }

    private static BodyPublisher slice(Path file, long offset, long length) {
        try {
            return BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> {
                try {
                    InputStream in = Files.newInputStream(file);
                    in.skipNBytes(offset);
                    return new org.apache.commons.io.input.BoundedInputStream.Builder().setInputStream(in).setMaxCount(length).get();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }), length);
        } catch (RuntimeException e) {
            throw new ImageException("cannot read " + file + ": " + e, e);
        }
    }

    public Digest putManifest(String registry, String repository, String reference, String mediaType, byte[] body) {
        try (var r = send(registry, "PUT", "/v2/" + repository + "/manifests/" + reference, null,
                Map.of("Content-Type", mediaType), () -> BodyPublishers.ofByteArray(body), push(repository))) {
            expect(r, "manifest " + registry + "/" + repository + ":" + reference, 201);
            Digest ours = Digest.sha256(body);
            r.response.headers().firstValue("Docker-Content-Digest").ifPresent(theirs -> {
                if (!theirs.equals(ours.toString()))
                    throw new DigestMismatchException("registry stored manifest as " + theirs + ", we sent " + ours);
            });
            return ours;
        }
    }

    public List<String> catalog(String registry) {
        return paged(registry, "/v2/_catalog?n=1000", "repositories", "registry:catalog:*");
    }

    public List<String> tags(String registry, String repository) {
        return paged(registry, "/v2/" + repository + "/tags/list?n=1000", "tags", pull(repository));
    }

    private List<String> paged(String registry, String path, String field, String scope) {
        List<String> out = new ArrayList<>();
        String next = path;
        for (int page = 0; next != null && page < 10_000; page++) {
            try (var r = send(registry, "GET", next, null, Map.of(), null, scope)) {
                expect(r, registry + path, 200);
                JsonNode n = Json.parse(r.body().readNBytes(32 << 20), registry + path);
                n.path(field).forEach(x -> out.add(x.asText()));
                next = r.response.headers().firstValue("Link")
                        .map(l -> l.replaceAll("^<([^>]*)>.*$", "$1")).orElse(null);
            } catch (IOException e) {
                throw new RegistryException("reading " + registry + path + ": " + e, e);
            }
        }
        return out;
    }

    // ---- transport ---------------------------------------------------------------------------

    private static String pull(String repository) {
        return "repository:" + repository + ":pull";
    }

    private static String push(String repository) {
        return "repository:" + repository + ":pull,push";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** An answer with its (open) body; close it. */
    final class Response implements AutoCloseable {
        final HttpResponse<InputStream> response;
        final URI uri;

        Response(HttpResponse<InputStream> response, URI uri) {
            this.response = response;
            this.uri = uri;
        }

        int status() {
            return response.statusCode();
        }

        InputStream body() {
            return response.body();
        }

        @Override
        public void close() {
            try {
                response.body().close();
            } catch (IOException ignored) {
                // the connection is dropped instead of reused
            }
        }
    }

    private Response send(String registry, String method, String path, URI absolute, Map<String, String> headers,
                          Supplier<BodyPublisher> body, String scope) {
        return send(registry, method, path, absolute, headers, body, scope, null, false);
    }

    private Response send(String registry, String method, String path, URI absolute, Map<String, String> headers,
                          Supplier<BodyPublisher> body, String scope, DockerConfig.Credentials explicit, boolean noCache) {
        URI base = base(registry);
        URI uri = absolute != null ? absolute : URI.create(base + path);
        DockerConfig.Credentials creds = explicit != null ? explicit
                : overrides.containsKey(registry) ? overrides.get(registry) : dockerConfig.lookup(registry);
        String key = registry + " " + scope;
        boolean authRetried = false;
        while (true) {
            Token t = noCache && !authRetried ? null : tokens.get(key);
            String auth = t != null && t.valid() ? t.header() : null;
            Response r = exchange(method, uri, base, headers, body, auth);
            if (r.status() != 401 || authRetried) return r;
            String challenge = r.response.headers().firstValue("WWW-Authenticate").orElse("");
            r.close();
            tokens.put(key, authenticate(registry, challenge, scope, creds));
            authRetried = true;
        }
    }

    /** One request, following redirects ourselves; credentials only to the registry's origin. */
    private Response exchange(String method, URI uri, URI base, Map<String, String> headers,
                              Supplier<BodyPublisher> body, String auth) {
        URI current = uri;
        String currentMethod = method;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            var b = HttpRequest.newBuilder(current).timeout(Duration.ofMinutes(10));
            headers.forEach(b::header);
            if (auth != null && sameOrigin(current, base)) b.header("Authorization", auth);
            BodyPublisher p = body != null && !currentMethod.equals("GET") && !currentMethod.equals("HEAD")
                    ? body.get() : BodyPublishers.noBody();
            b.method(currentMethod, p);
            HttpResponse<InputStream> resp;
            try {
                HttpRequest req = b.build();
                resp = client(req.uri()).send(req, HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new RegistryException(currentMethod + " " + current + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(currentMethod + " " + current + ": interrupted", e);
            }
            int s = resp.statusCode();
            if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
                String loc = resp.headers().firstValue("Location").orElse(null);
                try {
                    resp.body().close();
                } catch (IOException ignored) {
                    // next hop
                }
                if (loc == null) throw new RegistryException(current + " redirected without a Location", s, List.of());
                current = current.resolve(loc);
                if (s == 303) currentMethod = "GET";
                continue;
            }
            return new Response(resp, current);
        }
        throw new RegistryException(uri + ": more than " + MAX_REDIRECTS + " redirects", 0, List.of());
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private URI base(String registry) {
        return bases.computeIfAbsent(registry, r -> endpoints.bases(r).getFirst());
    }

    /** Answers a 401 challenge: Basic with the credentials, or a Bearer token for the scope. */
    private Token authenticate(String registry, String challenge, String scope, DockerConfig.Credentials creds) {
        String scheme = challenge.split(" ", 2)[0];
        if (scheme.equalsIgnoreCase("Basic")) {
            if (creds == null)
                throw new RegistryDeniedException("registry " + registry + " requires authentication (Basic) and no credentials are stored: log in first", 401, List.of("UNAUTHORIZED"));
            return new Token(basic(creds), null);
        }
        if (!scheme.equalsIgnoreCase("Bearer"))
            throw new RegistryDeniedException("registry " + registry + " answered 401 with an unsupported challenge \"" + challenge + "\"", 401, List.of());
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) params.put(m.group(1), m.group(2));
        String realm = params.get("realm");
        if (realm == null) throw new RegistryDeniedException("registry " + registry + ": Bearer challenge without realm", 401, List.of());
        StringBuilder q = new StringBuilder();
        if (params.containsKey("service")) q.append("service=").append(enc(params.get("service")));
        String scopes = params.getOrDefault("scope", scope);
        for (String s : scopes.split(" ")) if (!s.isEmpty()) q.append(q.isEmpty() ? "" : "&").append("scope=").append(enc(s));
        URI tokenUri = URI.create(realm + (realm.contains("?") ? "&" : "?") + q);
        // Credentials go to the token service the registry names (that is the protocol), but
        // never in clear text when the registry itself is reached over HTTPS.
        if (creds != null && "http".equalsIgnoreCase(tokenUri.getScheme()) && "https".equalsIgnoreCase(base(registry).getScheme()))
            throw new RegistryDeniedException("registry " + registry + " names a plain-HTTP token service " + realm
                    + ": refusing to send credentials there", 401, List.of());
        var b = HttpRequest.newBuilder(tokenUri).timeout(Duration.ofSeconds(60)).GET();
        if (creds != null) b.header("Authorization", creds.identityToken() ? "Bearer " + creds.secret() : basic(creds));
        try {
            HttpRequest req = b.build();
            HttpResponse<byte[]> resp = client(req.uri()).send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() == 401 || resp.statusCode() == 403)
                throw new RegistryDeniedException("token service " + realm + " refused " + (creds == null ? "anonymous access" : "the credentials of " + creds.username())
                        + " for " + scopes + " (HTTP " + resp.statusCode() + ")", resp.statusCode(), codes(resp.body()));
            if (resp.statusCode() != 200)
                throw new RegistryException("token service " + realm + " answered HTTP " + resp.statusCode(), resp.statusCode(), codes(resp.body()));
            JsonNode n = Json.parse(resp.body(), "token from " + realm);
            String token = n.hasNonNull("token") ? n.get("token").asText() : n.path("access_token").asText(null);
            if (token == null) throw new RegistryException("token service " + realm + " sent no token", 200, List.of());
            long expires = n.path("expires_in").asLong(60);
            return new Token("Bearer " + token, Instant.now().plusSeconds(Math.max(expires, 60)));
        } catch (IOException e) {
            throw new RegistryException("token request to " + realm + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("token request interrupted", e);
        }
    }

    private static String basic(DockerConfig.Credentials c) {
        return "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.secret()).getBytes(StandardCharsets.UTF_8));
    }

    private static void expect(Response r, String what, int status) {
        int s = r.status();
        if (s == status || (status == 200 && s == 200) || (status == 201 && s == 201)) return;
        byte[] body;
        try {
            body = r.body().readNBytes(64 << 10);
        } catch (IOException e) {
            body = new byte[0];
        }
        List<String> codes = codes(body);
        String detail = messages(body);
        String msg = what + ": HTTP " + s + (codes.isEmpty() ? "" : " " + codes) + (detail.isEmpty() ? "" : " (" + detail + ")");
        if (s == 404) throw new ImageNotFoundException(what + ": not found" + (codes.isEmpty() ? "" : " " + codes));
        if (s == 401 || s == 403) throw new RegistryDeniedException(what + ": denied, " + msg, s, codes);
        throw new RegistryException(msg, s, codes);
    }

    private static List<String> codes(byte[] body) {
        List<String> out = new ArrayList<>();
        try {
            Json.MAPPER.readTree(body).path("errors").forEach(e -> out.add(e.path("code").asText()));
        } catch (IOException | RuntimeException ignored) {
            // not a registry error body
        }
        return out;
    }

    private static String messages(byte[] body) {
        List<String> out = new ArrayList<>();
        try {
            Json.MAPPER.readTree(body).path("errors").forEach(e -> out.add(e.path("message").asText()));
        } catch (IOException | RuntimeException ignored) {
            // not a registry error body
        }
        return String.join("; ", out);
    }

    private static void sleep(int attempt) {
        try {
            Thread.sleep(200L * attempt * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted between retries");
        }
    }

    @Override
    public void close() {
        if (shared != null) return;                 // the connections are the shared client's
        HttpClient a, b;
        synchronized (this) {
            a = https;
            b = plain;
        }
        if (a != null) a.close();
        if (b != null) b.close();
    }
}
