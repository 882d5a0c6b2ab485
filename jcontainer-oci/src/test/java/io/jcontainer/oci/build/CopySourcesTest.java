package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerIgnore;
import io.jcontainer.image.build.BuildException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** COPY's source and destination rules (Dockerfile reference, "COPY"). */
class CopySourcesTest {
    @TempDir
    Path ctx;

    private List<String> copy(String ignore, List<String> sources, String dest, String workdir) throws IOException {
        List<String> out = new ArrayList<>();
        try (BuildContext c = BuildContext.directory(ctx)) {
            CopySources.forEach(CopySources.context(c, DockerIgnore.parse(ignore)), sources, dest, workdir, p -> p.equals("/existing"),
                    item -> out.add(item.dest() + (item.attrs().isDir() ? "/" : "")));
        }
        return out;
    }

    private void files(String... paths) throws IOException {
        for (String p : paths) {
            Path f = ctx.resolve(p);
            Files.createDirectories(f.getParent());
            Files.writeString(f, p);
        }
    }

    @Test
    void fileOntoAPathDirectoryOrExistingDirectory() throws IOException {
        files("a.txt");
        assertThat(copy("", List.of("a.txt"), "/b.txt", "/")).containsExactly("/b.txt");
        assertThat(copy("", List.of("a.txt"), "/dir/", "/")).containsExactly("/dir/a.txt");
        assertThat(copy("", List.of("a.txt"), "/existing", "/")).containsExactly("/existing/a.txt");
        assertThat(copy("", List.of("a.txt"), "rel/", "/work")).containsExactly("/work/rel/a.txt");
    }

    @Test
    void aDirectoryContributesItsContentsInNameOrder() throws IOException {
        files("src/z.c", "src/a/b.c", "src/m.h");
        assertThat(copy("", List.of("src"), "/app", "/")).containsExactly("/app/", "/app/a/", "/app/a/b.c", "/app/m.h", "/app/z.c");
    }

    @Test
    void wildcardsMatchPerSegmentAndNeedADirectoryDestination() throws IOException {
        files("home1.txt", "home2.txt", "homer/x", "other.txt", "sub/hom3.txt");
        assertThatThrownBy(() -> copy("", List.of("hom?.txt"), "/d/", "/")).isInstanceOf(BuildException.class)
                .hasMessageContaining("matched nothing");
        assertThat(copy("", List.of("home*.txt"), "/d/", "/")).containsExactly("/d/home1.txt", "/d/home2.txt");
        assertThat(copy("", List.of("*/hom*.txt"), "/d/", "/")).containsExactly("/d/hom3.txt");
        assertThatThrownBy(() -> copy("", List.of("home*.txt"), "/d", "/")).isInstanceOf(BuildException.class)
                .hasMessageContaining("must be a directory and end with a /");
    }

    @Test
    void ignoredFilesAreNotCopiedAndANamedIgnoredSourceIsNotFound() throws IOException {
        files("keep.txt", "drop.log", "logs/a.log", "logs/keep.txt", "Dockerfile");
        assertThat(copy("*.log\nlogs\n!logs/keep.txt\nDockerfile\n", List.of("."), "/app/", "/"))
                .containsExactly("/app/", "/app/keep.txt", "/app/logs/keep.txt");
        assertThatThrownBy(() -> copy("drop.log\n", List.of("drop.log"), "/x", "/")).isInstanceOf(BuildException.class)
                .hasMessageContaining("not found in the build context (or excluded by .dockerignore)");
    }

    @Test
    void parentTraversalIsRefused() throws IOException {
        files("a.txt");
        assertThatThrownBy(() -> copy("", List.of("../a.txt"), "/x", "/")).isInstanceOf(BuildException.class)
                .hasMessageContaining("forbidden path outside the build context");
    }
}
