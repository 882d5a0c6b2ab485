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

        assertThat(names(RemoteCli.contextTar(ctx, "Dockerfile")))
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

        assertThat(names(RemoteCli.contextTar(ctx, "docker/app.Dockerfile")))
                .containsExactly(".dockerignore", "a.txt", "docker/", "docker/app.Dockerfile", "docker/app.Dockerfile.dockerignore");
    }

    @Test
    void aBadPatternIsNamed(@TempDir Path ctx) throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
        Files.writeString(ctx.resolve(".dockerignore"), "[\n");
        assertThatThrownBy(() -> RemoteCli.contextTar(ctx, "Dockerfile"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[");
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
