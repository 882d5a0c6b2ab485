package io.jcontainer.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * docker's default network for a container that names none: the default {@code bridge} as root,
 * through pasta (else slirp4netns) as an ordinary user — the runtime takes {@code bridge} so — and
 * loopback only where neither can be had. The CLI's {@code run} and the API service choose with
 * it; the library's own default stays loopback only (an untrusted job gets no network unless it
 * asks).
 *
 * <p>{@code JCONTAINER_DEFAULT_NETWORK} (or {@code -Djcontainer.defaultNetwork}, which wins)
 * overrides: {@code auto} (the same as unset), {@code bridge}, {@code none}. Test harnesses that
 * work in the machine's own network namespace say {@code none}, so no test makes a bridge there.
 */
public final class DefaultNetwork {
    /** The system property that chooses (inside a JVM); it wins over {@link #ENV}. */
    public static final String PROPERTY = "jcontainer.defaultNetwork";
    /** The environment variable that chooses. */
    public static final String ENV = "JCONTAINER_DEFAULT_NETWORK";

    private DefaultNetwork() {
    }

    /**
     * The choice and, where docker's default cannot be had, why (to be said once), else null.
     *
     * @param network {@code bridge}, or null for loopback only
     */
    public record Choice(String network, String warning) {
    }

    /** The setting: the property, else the environment variable, else null (unset). */
    public static String setting() {
        String p = System.getProperty(PROPERTY);
        return p != null ? p : System.getenv(ENV);
    }

    /**
     * @param setting  {@code auto}, {@code bridge}, {@code none}, or null/blank (= {@code auto})
     * @param root     whether this process is root (the bridge is made in the host's namespace)
     * @param nftables whether nftables can be driven (libnftables or the nft program): a root
     *                 bridge's NAT and published ports need it
     * @param helper   whether pasta or slirp4netns is installed (an ordinary user's way out)
     * @throws IllegalArgumentException for any other setting
     */
    public static Choice choose(String setting, boolean root, boolean nftables, boolean helper) {
        String s = setting == null || setting.isBlank() ? "auto" : setting.strip();
        return switch (s) {
            case "none" -> new Choice(null, null);
            case "bridge" -> new Choice("bridge", null);
            case "auto" -> {
                if (root && nftables || !root && helper) yield new Choice("bridge", null);
                yield new Choice(null, root
                        ? "no nftables (neither libnftables.so.1 nor the nft program; apt-get install libnftables1): containers get loopback only"
                        : "no pasta or slirp4netns (apt-get install passt, or slirp4netns): containers get loopback only");
            }
            default -> throw new IllegalArgumentException(ENV + "=" + s + ": none, bridge or auto");
        };
    }

    /** Whether this process runs as root (uid 0). */
    public static boolean root() {
        try {
            return Files.readString(Path.of("/proc/self/status")).lines()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether pasta or slirp4netns is installed where the runtime looks. */
    public static boolean networkHelper() {
        return anyExecutable(List.of("pasta", "slirp4netns"), List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"));
    }

    /** Whether libnftables.so.1 is in a library directory or the nft program is installed. */
    public static boolean nftables() {
        for (String d : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib"))
            if (Files.exists(Path.of(d, "libnftables.so.1"))) return true;
        return anyExecutable(List.of("nft"), List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin"));
    }

    private static boolean anyExecutable(List<String> names, List<String> dirs) {
        for (String d : dirs)
            for (String n : names)
                if (Files.isExecutable(Path.of(d, n))) return true;
        return false;
    }
}
