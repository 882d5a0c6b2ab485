package io.jcontainer;

/**
 * One namespace of OCI's {@code linux.namespaces}: a new one ({@code path} null) or an existing
 * one joined by its path, e.g. {@code /proc/1234/ns/net} or a bind-mounted namespace file.
 */
public record LinuxNamespace(Namespace type, String path) {
    public LinuxNamespace {
        if (type == null) throw new InvalidSpecException("namespaces", "null type");
        if (path != null) Checks.absolute("namespaces." + type.name().toLowerCase(java.util.Locale.ROOT) + ".path", path);
    }
}
