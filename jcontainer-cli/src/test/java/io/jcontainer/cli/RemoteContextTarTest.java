package io.jcontainer.cli;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a remote build sends to the daemon: the context minus what .dockerignore excludes, as
 * docker's CLI does, so a file kept out of builds never leaves this host.
 */
class RemoteContextTarTest {

    @Test
    void excludedFilesStayOnThisHostButTheDockerfileAndIgnoreFileGo(@TempDir Path ctx) throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
        Files.writeString(ctx.resolve(".dockerignore"), "secret*\n!secret-ok\nbuild/\nDockerfile\n.dockerignore\n");
        Files.writeString(ctx.resolve("app.txt"), "app");
        Files.writeString(ctx.resolve("secret.env"), "PASSWORD=x");
        Files.writeString(ctx.resolve("secret-ok"), "fine");
        Files.createDirectories(ctx.resolve("build/out"));
        Files.writeString(ctx.resolve("build/out/big.bin"), "x".repeat(1000));
        Files.createDirectories(ctx.resolve("src"));
        Files.writeString(ctx.resolve("src/secret.txt"), "not matched: the pattern has no directory part");

        assertThat(names(RemoteBuildContext.of(ctx, null).bytes()))
                .containsExactly(".dockerignore", "Dockerfile", "app.txt", "secret-ok", "src/", "src/secret.txt");
    }

    @Test
    void aDockerfilesOwnIgnoreFileWins(@TempDir Path ctx) throws Exception {
        Files.createDirectories(ctx.resolve("docker"));
        Files.writeString(ctx.resolve("docker/app.Dockerfile"), "FROM scratch\n");
        Files.writeString(ctx.resolve("docker/app.Dockerfile.dockerignore"), "*.log\n");
        Files.writeString(ctx.resolve(".dockerignore"), "*.txt\n");
        Files.writeString(ctx.resolve("a.txt"), "kept: the general file does not apply");
        Files.writeString(ctx.resolve("b.log"), "left out");

        assertThat(names(RemoteBuildContext.of(ctx, ctx.resolve("docker/app.Dockerfile").toString()).bytes()))
                .containsExactly(".dockerignore", "a.txt", "docker/", "docker/app.Dockerfile", "docker/app.Dockerfile.dockerignore");
    }

    /**
     * docker's CLI with {@code -f} outside the context: the Dockerfile goes in under a generated
     * name (mode 0600), named by the request's dockerfile=, and the tar's .dockerignore gains that
     * name so that COPY . leaves it out; the context's own file is kept, its rules applied here.
     */
    @Test
    void aDockerfileOutsideTheContextGoesInUnderAGeneratedNameAndIsIgnored(@TempDir Path tmp) throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx")), elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
        Files.writeString(ctx.resolve("app.txt"), "app");
        Files.writeString(ctx.resolve("secret"), "x");
        Files.createDirectories(ctx.resolve("node_modules/deep"));
        Files.writeString(ctx.resolve("node_modules/deep/x.js"), "x");

        RemoteBuildContext none = RemoteBuildContext.of(ctx, elsewhere.resolve("Dockerfile").toString());
        assertThat(none.dockerfile()).matches("\\.dockerfile\\.[0-9a-f]{20}");
        Map<String, String> sent = contents(none.bytes());
        assertThat(sent.keySet()).containsExactly("app.txt", "node_modules/", "node_modules/deep/", "node_modules/deep/x.js", "secret",
                ".dockerignore", none.dockerfile());
        assertThat(sent.get(none.dockerfile())).isEqualTo("FROM scratch\nCOPY . /\n");
        assertThat(sent.get(".dockerignore")).isEqualTo(".dockerignore\n" + none.dockerfile() + "\n");

        Files.writeString(ctx.resolve(".dockerignore"), "secret\nnode_modules\n");
        RemoteBuildContext kept = RemoteBuildContext.of(ctx, elsewhere.resolve("Dockerfile").toString());
        sent = contents(kept.bytes());
        assertThat(sent.keySet()).containsExactly(".dockerignore", "app.txt", kept.dockerfile());
        assertThat(sent.get(".dockerignore")).isEqualTo("secret\nnode_modules\n\n" + kept.dockerfile() + "\n");
        assertThat(kept.dockerfile()).isNotEqualTo(none.dockerfile());

        assertThatThrownBy(() -> RemoteBuildContext.of(ctx, elsewhere.resolve("Missing").toString()))
                .isInstanceOf(CliException.class).hasMessageContaining("unable to open Dockerfile");
    }

    @Test
    void theStreamCarriesTheSameTar(@TempDir Path ctx) throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
        Files.write(ctx.resolve("big.bin"), new byte[300_000]);
        RemoteBuildContext c = RemoteBuildContext.of(ctx, null);
        byte[] streamed;
        try (var in = c.stream()) {
            streamed = in.readAllBytes();
        }
        c.check();
        assertThat(contents(streamed).keySet()).containsExactly("Dockerfile", "big.bin");
        assertThat(streamed).hasSize(c.bytes().length);
    }

    @Test
    void aBadPatternIsNamed(@TempDir Path ctx) throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
        Files.writeString(ctx.resolve(".dockerignore"), "[\n");
        assertThatThrownBy(() -> RemoteBuildContext.of(ctx, null).bytes())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[");
    }

    private static Map<String, String> contents(byte[] tar) throws Exception {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        try (var in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.put(e.getName(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                if (e.getName().startsWith(".dockerfile.")) assertThat(e.getMode() & 07777).isEqualTo(0600);
            }
        }
        return out;
    }

    private static List<String> names(byte[] tar) throws Exception {
        List<String> out = new ArrayList<>();
        try (var in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) out.add(e.getName());
        }
        return out;
    }
}
