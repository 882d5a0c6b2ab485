package io.jcontainer.cli;

import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.jcontainer.cli.CliHarness.cli;
import static io.jcontainer.cli.CliHarness.cliWithInput;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jcontainer build} in this JVM with the store under a temporary directory: BuildKit's
 * plain progress on stderr, CACHED on a rebuild, -q and --iidfile, a Dockerfile on stdin, a
 * failing RUN's exit code and output, and the built image run by {@code run}.
 */
@RequiresRoot
class BuildCommandTest {
    @TempDir
    Path tmp;
    String previous;

    @BeforeEach
    void setUp() throws Exception {
        previous = System.getProperty("jcontainer.storage");
        System.setProperty("jcontainer.storage", tmp.resolve("store").toString());
        Path base = Files.createDirectories(tmp.resolve("base"));
        Files.copy(Path.of("/bin/busybox"), base.resolve("busybox"));
        Files.writeString(base.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                """);
        var r = cli("build", "-q", "-t", "jc-cli/busybox:1", base.toString());
        assertThat(r.code()).as(r.toString()).isZero();
    }

    @AfterEach
    void tearDown() {
        if (previous == null) System.clearProperty("jcontainer.storage");
        else System.setProperty("jcontainer.storage", previous);
    }

    @Test
    void buildPrintsPlainProgressCachesAndTheImageRuns() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("msg.txt"), "hello from the build\n");
        Files.writeString(ctx.resolve("app.Dockerfile"), """
                FROM jc-cli/busybox:1
                ARG WHO=nobody
                COPY msg.txt /msg.txt
                RUN echo "built by $WHO" && echo "built by $WHO" > /who.txt
                CMD ["cat", "/msg.txt", "/who.txt"]
                """);
        var b = cli("build", "-t", "jc-cli/app:1", "-f", ctx.resolve("app.Dockerfile").toString(), "--build-arg", "WHO=test", ctx.toString());
        assertThat(b.code()).as(b.toString()).isZero();
        assertThat(b.err()).contains("#1 [internal] load build definition from app.Dockerfile")
                .contains("[1/3] FROM jc-cli/busybox:1").contains("[2/3] COPY msg.txt /msg.txt")
                .contains("[3/3] RUN echo \"built by $WHO\"").containsPattern("#\\d+ \\d+\\.\\d{3} built by test")
                .containsPattern("#\\d+ DONE \\d+\\.\\ds").contains("naming to jc-cli/app:1 done");

        var again = cli("build", "-t", "jc-cli/app:1", "-f", ctx.resolve("app.Dockerfile").toString(), "--build-arg", "WHO=test",
                "--iidfile", tmp.resolve("iid").toString(), ctx.toString());
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.err()).containsPattern("#\\d+ \\[2/3\\] COPY msg.txt /msg.txt\n#\\d+ CACHED")
                .containsPattern("> /who.txt\n#\\d+ CACHED");
        String id = Files.readString(tmp.resolve("iid"));
        assertThat(cli("build", "-q", "-f", ctx.resolve("app.Dockerfile").toString(), "--build-arg", "WHO=test", ctx.toString()).out())
                .isEqualTo(id + "\n");

        var run = cli("run", "--rm", "jc-cli/app:1");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("hello from the build\nbuilt by test\n");

        // the rebuilds above were answered by the whole-build memo; a changed file must not be
        Files.writeString(ctx.resolve("msg.txt"), "changed since\n");
        var changed = cli("build", "-t", "jc-cli/app:1", "-f", ctx.resolve("app.Dockerfile").toString(), "--build-arg", "WHO=test", ctx.toString());
        assertThat(changed.code()).as(changed.toString()).isZero();
        assertThat(changed.err()).doesNotContainPattern("COPY msg.txt /msg.txt\n#\\d+ CACHED").containsPattern("#\\d+ \\d+\\.\\d{3} built by test");
        var rerun = cli("run", "--rm", "jc-cli/app:1");
        assertThat(rerun.out()).isEqualTo("changed since\nbuilt by test\n");
    }

    @Test
    void dockerfileOnStdinAndAFailingRun() {
        var ok = cliWithInput("FROM jc-cli/busybox:1\nRUN echo from stdin > /f\n", "build", "-q", "-t", "jc-cli/stdin:1", "-");
        assertThat(ok.code()).as(ok.toString()).isZero();
        assertThat(ok.out()).startsWith("sha256:");

        var bad = cliWithInput("FROM jc-cli/busybox:1\nRUN echo about to fail; exit 4\n", "build", "-t", "jc-cli/bad:1", "-");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("ERROR: failed to build:").contains("exit code: 4").contains("about to fail");
        assertThat(cli("images", "-q", "jc-cli/bad").out()).isEmpty();

        var syntax = cliWithInput("FROM jc-cli/busybox:1\nCOPY --form=x a b\n", "build", "-");
        assertThat(syntax.code()).isEqualTo(1);
        assertThat(syntax.err()).contains("Dockerfile:2: COPY: unknown flag: --form");
    }
}
