package io.jcontainer.image;

import java.util.Locale;
import java.util.Objects;

/**
 * An OCI platform: {@code os}, {@code architecture} (GOARCH names: amd64, arm64, arm, 386…) and
 * an optional {@code variant} (v7, v8…). Used to pick one manifest out of a multi-arch index.
 */
public record Platform(String os, String architecture, String variant) {

    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        if (variant != null && variant.isEmpty()) variant = null;
    }

    /** This JVM's machine, in OCI names ({@code os.arch} amd64/x86_64 → amd64, aarch64 → arm64/v8). */
    public static Platform current() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> new Platform("linux", "amd64", null);
            case "aarch64", "arm64" -> new Platform("linux", "arm64", "v8");
            case "arm" -> new Platform("linux", "arm", "v7");
            case "x86", "i386", "i686" -> new Platform("linux", "386", null);
            case "ppc64le" -> new Platform("linux", "ppc64le", null);
            case "s390x" -> new Platform("linux", "s390x", null);
            case "riscv64" -> new Platform("linux", "riscv64", null);
            default -> new Platform("linux", arch, null);
        };
    }

    /** Parses docker's {@code --platform} form: {@code linux/arm64/v8}, {@code linux/amd64}. */
    public static Platform parse(String text) {
        String[] parts = text.split("/");
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty())
            throw new IllegalArgumentException("invalid platform \"" + text + "\" (expected os/arch[/variant])");
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /**
     * True when an index entry with this platform can run here, given what was asked: os and
     * architecture must be equal; a variant is compared when both have one (arm64 images carry
     * v8 or nothing, and are the same thing).
     */
    public boolean matches(Platform candidate) {
        if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) return false;
        if (variant == null || candidate.variant == null) return true;
        return variant.equals(candidate.variant);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant != null ? "/" + variant : "");
    }
}
