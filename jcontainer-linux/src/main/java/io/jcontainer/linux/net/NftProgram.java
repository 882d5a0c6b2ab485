package io.jcontainer.linux.net;

import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.ProgramRun;
import io.jcontainer.linux.sys.SyscallException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The documented fallback where libnftables is missing: {@code nft -f -} with the script on
 * stdin (the same transaction semantics). Chosen by {@link Nftables#detect()} only when the
 * library cannot be loaded, or with {@code -Djcontainer.nft=program}.
 */
final class NftProgram implements Nftables {
    private static final String[] DIRS = {"/usr/sbin", "/sbin", "/usr/bin"};

    static boolean available() {
        return path() != null;
    }

    private static String path() {
        for (String d : DIRS) if (Files.isExecutable(Path.of(d, "nft"))) return d + "/nft";
        return null;
    }

    @Override
    public String run(String script) {
        String nft = path();
        if (nft == null) throw new NetworkException("nft: the program is missing (apt-get install nftables), and so is libnftables");
        try {
            // through the seam, as every program jcontainer runs; nft's own environment is empty but for PATH
            ProgramRun.Result r = ProgramRun.run(NativeSyscalls.INSTANCE, nft, List.of("nft", "-f", "-"), List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"),
                    script.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30), 1 << 20);
            if (!r.succeeded())
                throw new NetworkException("nft refused jcontainer's table" + (r.timedOut() ? " (no answer within 30 s)" : "") + ": "
                        + r.output().strip() + "\n--- script ---\n" + script);
            return r.output();
        } catch (SyscallException e) {
            throw new NetworkException("nft: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException("interrupted while running nft", e);
        }
    }
}
