package io.jcontainer.linux.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The documented fallback where libnftables is missing: {@code nft -f -} with the script on
 * stdin (the same transaction semantics). Chosen by {@link Nftables#detect()} only when the
 * library cannot be loaded, or with {@code -Djcontainer.nft=program}.
 */
final class NftProgram implements Nftables {
    static boolean available() {
        for (String d : new String[]{"/usr/sbin", "/sbin", "/usr/bin"}) if (Files.isExecutable(Path.of(d, "nft"))) return true;
        return false;
    }

    @Override
    public String run(String script) {
        try {
            Process p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
            p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new NetworkException("nft refused jcontainer's table: " + out.strip() + "\n--- script ---\n" + script);
            return out;
        } catch (IOException e) {
            throw new NetworkException("nft: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException("interrupted while running nft", e);
        }
    }
}
