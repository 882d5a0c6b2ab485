package io.jcontainer.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.ImageException;
import io.jcontainer.oci.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * {@code ~/.docker/config.json}: {@code auths} (base64 {@code user:password}, or an identity
 * token), {@code credHelpers} per registry and {@code credsStore} for all, which name a
 * {@code docker-credential-<name>} program spoken to on stdin/stdout (docker's protocol). The
 * file is written 0600 through a temporary file and a rename (SECURITY.md row 44).
 */
public final class DockerConfig {
    private final Path file;

    public record Credentials(String username, String secret, boolean identityToken) {
    }

    public DockerConfig(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Credentials for {@code registry} (docker.io also under its historical index URL), or null. */
    public Credentials lookup(String registry) {
        ObjectNode root = read();
        String helper = root.path("credHelpers").path(registry).asText(null);
        if (helper == null) helper = root.path("credsStore").asText(null);
        if (helper != null && !helper.isEmpty()) {
            Credentials fromHelper = helper(helper, registry);
            if (fromHelper != null) return fromHelper;
        }
        JsonNode auths = root.path("auths");
        for (String key : keys(registry)) {
            JsonNode a = auths.get(key);
            if (a == null) continue;
            if (a.hasNonNull("identitytoken"))
                return new Credentials(a.path("username").asText(""), a.get("identitytoken").asText(), true);
            if (a.hasNonNull("auth")) {
                String decoded = new String(Base64.getDecoder().decode(a.get("auth").asText()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1), false);
            }
        }
        return null;
    }

    /** The registry hosts the file's {@code auths} names ({@code docker.io} for Docker Hub's index URL). */
    public java.util.Set<String> registries() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        read().path("auths").fieldNames().forEachRemaining(k -> {
            String s = k.replaceFirst("^https?://", "");
            int slash = s.indexOf('/');
            s = slash < 0 ? s : s.substring(0, slash);
            out.add(s.isEmpty() || s.equals("index.docker.io") || s.equals("registry-1.docker.io") ? "docker.io" : s);
        });
        return out;
    }

    private static String[] keys(String registry) {
        if (registry.equals("docker.io"))
            return new String[]{"https://index.docker.io/v1/", "docker.io", "index.docker.io", "registry-1.docker.io"};
        return new String[]{registry, "https://" + registry, "http://" + registry};
    }

    private static String authKey(String registry) {
        return registry.equals("docker.io") ? "https://index.docker.io/v1/" : registry;
    }

    public void store(String registry, String username, String password) {
        ObjectNode root = read();
        ObjectNode auths = root.has("auths") && root.get("auths").isObject() ? (ObjectNode) root.get("auths") : root.putObject("auths");
        auths.putObject(authKey(registry)).put("auth",
                Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
        write(root);
    }

    public boolean remove(String registry) {
        ObjectNode root = read();
        if (!(root.get("auths") instanceof ObjectNode auths)) return false;
        boolean removed = false;
        for (String k : keys(registry)) removed |= auths.remove(k) != null;
        if (removed) write(root);
        return removed;
    }

    private ObjectNode read() {
        if (!Files.exists(file)) return Json.MAPPER.createObjectNode();
        try {
            return (ObjectNode) Json.parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new ImageException("cannot read " + file + ": " + e, e);
        }
    }

    private void write(ObjectNode root) {
        try {
            Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path tmp = Files.createTempFile(file.getParent(), ".config", ".json",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ImageException("cannot write " + file + ": " + e, e);
        }
    }

    private static Credentials helper(String name, String registry) {
        String program = "docker-credential-" + name;
        try {
            Process p = new ProcessBuilder(program, "get").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (var in = p.getOutputStream()) {
                in.write(registry.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ImageException(program + " did not answer within 30 s");
            }
            if (p.exitValue() != 0) return null;          // "credentials not found"
            JsonNode n = Json.parse(out, program + "'s answer");
            String user = n.path("Username").asText("");
            String secret = n.path("Secret").asText("");
            return new Credentials(user, secret, user.equals("<token>"));
        } catch (IOException e) {
            throw new ImageException("credential helper " + program + " is configured in the docker config but cannot be run: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted waiting for " + program);
        }
    }
}
