package io.jcontainer.oci.build;

import io.jcontainer.image.build.BuildException;
import io.jcontainer.image.build.DockerfileException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuildGraphTest {
    static final String MULTI = """
            ARG BASE=busybox
            FROM $BASE AS deps
            RUN fetch
            FROM deps AS build
            RUN make
            FROM busybox AS docs
            RUN make docs
            FROM scratch AS unused
            FROM busybox AS tools
            RUN make tools
            FROM scratch
            COPY --from=build /app /app
            COPY --from=3 /t /t
            COPY --from=busybox:1.36 /bin/busybox /busybox
            RUN --mount=from=docs,target=/docs ls /docs
            """.replace("--from=3", "--from=4");

    private static BuildGraph graph(String text, String target) {
        Dockerfile df = DockerfileParser.parse("Dockerfile", text);
        return new BuildGraph(df, new Expander(df, Map.of(), Map.of()), target);
    }

    private static List<String> names(List<Dockerfile.Stage> stages) {
        return stages.stream().map(Dockerfile.Stage::displayName).toList();
    }

    @Test
    void onlyTheStagesTheTargetNeedsAreBuilt() {
        assertThat(names(graph(MULTI, null).needed())).containsExactly("deps", "build", "docs", "tools", "5");
        assertThat(names(graph(MULTI, "build").needed())).containsExactly("deps", "build");
        assertThat(names(graph(MULTI, "DOCS").needed())).containsExactly("docs");
        assertThat(graph(MULTI, null).dependencies(5)).containsExactlyInAnyOrder(1, 2, 4);
    }

    @Test
    void aMissingTargetOrAForwardReferenceIsAnError() {
        assertThatThrownBy(() -> graph(MULTI, "nope")).isInstanceOf(BuildException.class)
                .hasMessage("target stage \"nope\" could not be found");
        assertThatThrownBy(() -> graph("FROM scratch AS a\nCOPY --from=b / /\nFROM scratch AS b\n", null))
                .isInstanceOf(DockerfileException.class).hasMessageContaining("circular dependency");
    }

    @Test
    void independentStagesRunConcurrentlyAndDependentsWait() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            // deps, docs and tools have no dependency between them: all three must be running at once
            CountDownLatch together = new CountDownLatch(3);
            Map<String, Long> finished = new ConcurrentHashMap<>();
            Map<Integer, String> out = graph(MULTI, null).run(pool, s -> {
                if (List.of("deps", "docs", "tools").contains(s.displayName())) {
                    together.countDown();
                    try {
                        assertThat(together.await(20, TimeUnit.SECONDS)).as("independent stages ran together").isTrue();
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                }
                finished.put(s.displayName(), System.nanoTime());
                return s.displayName();
            });
            assertThat(out).containsOnlyKeys(0, 1, 2, 4, 5);
            assertThat(finished.get("build")).isGreaterThan(finished.get("deps"));
            assertThat(finished.get("5")).isGreaterThan(finished.get("build")).isGreaterThan(finished.get("docs"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theFirstFailureIsThrownAsIs() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            assertThatThrownBy(() -> graph(MULTI, null).run(pool, s -> {
                if (s.displayName().equals("deps")) throw new BuildException("deps failed");
                return s;
            })).isInstanceOf(BuildException.class).hasMessage("deps failed");
        } finally {
            pool.shutdownNow();
        }
    }
}
