package io.jcontainer.image;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A parsed, normalised image reference, the way docker reads one: {@code busybox} is
 * {@code docker.io/library/busybox:latest}, {@code 127.0.0.1:5000/nginx:alpine} names a registry
 * on a port, {@code name@sha256:…} pins a digest. Parsing is strict: anything docker would refuse
 * is an {@link InvalidReferenceException} that says which part is wrong.
 *
 * @param registry   the registry host (with {@code :port} if any); {@code docker.io} for Docker Hub
 * @param repository the path inside the registry, e.g. {@code library/busybox}
 * @param tag        the tag, or {@code null} when only a digest was given
 * @param digest     {@code algorithm:hex}, or {@code null}
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";
    public static final String DEFAULT_TAG = "latest";

    // The grammar of github.com/distribution/reference (reference.go), restated.
    private static final String ALNUM = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final Pattern PATH_COMPONENT = Pattern.compile(ALNUM + "(?:" + SEPARATOR + ALNUM + ")*");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                    + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");
    private static final Pattern SHA256_HEX = Pattern.compile("[a-f0-9]{64}");
    private static final int NAME_MAX = 255;

    public ImageReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        if (tag == null && digest == null)
            throw new InvalidReferenceException(registry + "/" + repository, "neither a tag nor a digest");
    }

    /** Parses and normalises {@code text}; throws {@link InvalidReferenceException} with the reason. */
    public static ImageReference parse(String text) {
        if (text == null || text.isEmpty()) throw new InvalidReferenceException(String.valueOf(text), "empty reference");
        if (!text.strip().equals(text)) throw new InvalidReferenceException(text, "leading or trailing whitespace");
        String rest = text;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            validateDigest(text, digest);
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {                    // a ':' after the last '/' starts a tag, not a port
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches())
                throw new InvalidReferenceException(text, "invalid tag \"" + tag + "\" (allowed: [A-Za-z0-9_.-], at most 128, not starting with '.' or '-')");
        }
        if (rest.isEmpty()) throw new InvalidReferenceException(text, "empty repository name");

        String registry;
        String path;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        // docker: the first component is a registry when it has a '.' or a ':' or is localhost.
        if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(java.util.Locale.ROOT)))) {
            registry = first;
            path = rest.substring(slash + 1);
            if (!DOMAIN.matcher(registry).matches())
                throw new InvalidReferenceException(text, "invalid registry host \"" + registry + "\"");
            String port = registry.contains("]") ? registry.substring(registry.indexOf(']') + 1) : registry;
            int pc = port.lastIndexOf(':');
            if (pc >= 0 && Integer.parseInt(port.substring(pc + 1)) > 65535)
                throw new InvalidReferenceException(text, "registry port out of range in \"" + registry + "\"");
            if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) registry = DOCKER_HUB;
        } else {
            registry = DOCKER_HUB;
            path = rest;
        }
        if (path.isEmpty()) throw new InvalidReferenceException(text, "empty repository name");
        for (String component : path.split("/", -1)) {
            if (component.isEmpty())
                throw new InvalidReferenceException(text, "empty path component in \"" + path + "\"");
            if (!component.equals(component.toLowerCase(java.util.Locale.ROOT)))
                throw new InvalidReferenceException(text, "repository name must be lowercase (\"" + component + "\")");
            if (!PATH_COMPONENT.matcher(component).matches())
                throw new InvalidReferenceException(text, "invalid repository component \"" + component
                        + "\" (allowed: lowercase letters, digits, separated by '.', '_', '__' or '-')");
        }
        if (registry.equals(DOCKER_HUB) && !path.contains("/")) path = "library/" + path;
        if (registry.length() + 1 + path.length() > NAME_MAX)
            throw new InvalidReferenceException(text, "repository name longer than " + NAME_MAX + " characters");
        if (tag == null && digest == null) tag = DEFAULT_TAG;
        return new ImageReference(registry, path, tag, digest);
    }

    /** True when {@code text} parses. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (InvalidReferenceException e) {
            return false;
        }
    }

    private static void validateDigest(String text, String digest) {
        if (!DIGEST.matcher(digest).matches())
            throw new InvalidReferenceException(text, "invalid digest \"" + digest + "\" (expected algorithm:hex)");
        if (digest.startsWith("sha256:") && !SHA256_HEX.matcher(digest.substring(7)).matches())
            throw new InvalidReferenceException(text, "invalid sha256 digest \"" + digest + "\" (64 lowercase hex digits)");
        if (!digest.startsWith("sha256:") && !digest.startsWith("sha512:"))
            throw new InvalidReferenceException(text, "unsupported digest algorithm in \"" + digest + "\"");
    }

    /** {@code registry/repository}, the name without tag or digest. */
    public String name() {
        return registry + "/" + repository;
    }

    /** The name docker prints: without {@code docker.io/} and {@code library/}. */
    public String familiarName() {
        if (!registry.equals(DOCKER_HUB)) return name();
        return repository.startsWith("library/") ? repository.substring(8) : repository;
    }

    /** The tag, or the digest when there is no tag: what a manifest request asks for. */
    public String reference() {
        return digest != null ? digest : tag;
    }

    public ImageReference withTag(String newTag) {
        return parse(name() + ":" + newTag);
    }

    public ImageReference withDigest(String newDigest) {
        return parse(name() + "@" + newDigest);
    }

    /** The fully qualified form: {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
