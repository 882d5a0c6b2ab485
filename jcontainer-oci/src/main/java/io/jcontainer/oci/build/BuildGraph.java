package io.jcontainer.oci.build;

import io.jcontainer.image.build.BuildException;
import io.jcontainer.image.build.DockerfileException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * Which stages a build needs and in what order: the target (by name or index, default the last
 * stage) and, transitively, the stages it starts FROM or copies from ({@code COPY --from},
 * {@code RUN --mount=from=}). Other stages are not built. Stages that do not depend on each other
 * run at the same time.
 */
public final class BuildGraph {
    private final Dockerfile dockerfile;
    private final Map<Integer, Set<Integer>> deps = new LinkedHashMap<>();
    private final Dockerfile.Stage target;

    /**
     * @param expander for the FROM lines and {@code --from} values (global args only: a stage's own
     *                 args cannot name another stage, as in BuildKit)
     */
    public BuildGraph(Dockerfile df, Expander expander, String targetName) {
        this.dockerfile = df;
        if (targetName == null || targetName.isEmpty()) {
            target = df.stages().getLast();
        } else {
            target = df.stages().stream().filter(s -> s.name() != null && s.name().equalsIgnoreCase(targetName)).findFirst()
                    .orElseThrow(() -> new BuildException("target stage \"" + targetName + "\" could not be found"));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        expander.metaArgs().forEach((k, v) -> {
            if (v != null) meta.put(k, v);
        });
        for (Dockerfile.Stage s : df.stages()) {
            Set<Integer> d = new LinkedHashSet<>();
            String base = expander.from(s.from()).image();
            stageRef(base, s, false).ifPresent(d::add);
            for (Instruction ins : s.instructions()) {
                for (String from : fromRefs(ins)) {
                    String expanded = new ShellLex(df.escape()).word(from, meta);
                    stageRef(expanded, s, true).ifPresent(d::add);
                }
            }
            deps.put(s.index(), d);
        }
    }

    private static List<String> fromRefs(Instruction ins) {
        List<String> out = new ArrayList<>();
        if (ins instanceof Instruction.Copy c && c.from() != null) out.add(c.from());
        if (ins instanceof Instruction.Run r)
            for (Instruction.MountSpec m : r.mounts()) if (m.from() != null) out.add(m.from());
        return out;
    }

    /**
     * The earlier stage {@code ref} names, if any. A name not naming a stage is an image. A stage
     * may not refer to itself or a later one (docker: "circular dependency").
     */
    private java.util.Optional<Integer> stageRef(String ref, Dockerfile.Stage in, boolean allowIndex) {
        for (Dockerfile.Stage s : dockerfile.stages()) {
            boolean byName = s.name() != null && s.name().equalsIgnoreCase(ref);
            boolean byIndex = allowIndex && ref.equals(String.valueOf(s.index()));
            if (!byName && !byIndex) continue;
            if (s.index() >= in.index())
                throw new DockerfileException(in.from().loc().file(), in.from().loc().line(), "FROM",
                        "stage " + in.displayName() + " refers to stage " + s.displayName() + " which is not before it (circular dependency)");
            return java.util.Optional.of(s.index());
        }
        return java.util.Optional.empty();
    }

    public Dockerfile.Stage target() {
        return target;
    }

    /** The stages the build needs, in Dockerfile order. */
    public List<Dockerfile.Stage> needed() {
        Set<Integer> need = new LinkedHashSet<>();
        collect(target.index(), need);
        return dockerfile.stages().stream().filter(s -> need.contains(s.index())).toList();
    }

    private void collect(int i, Set<Integer> need) {
        if (!need.add(i)) return;
        for (int d : deps.get(i)) collect(d, need);
    }

    /** The stages {@code stage} waits for. */
    public Set<Integer> dependencies(int stage) {
        return Set.copyOf(deps.get(stage));
    }

    /**
     * Runs {@code build} for every needed stage, each once its dependencies are done, stages
     * without a dependency between them concurrently on {@code pool}; returns each stage's result.
     * The first failure fails the whole and is thrown as is.
     */
    public <R> Map<Integer, R> run(ExecutorService pool, Function<Dockerfile.Stage, R> build) {
        Map<Integer, CompletableFuture<R>> futures = new LinkedHashMap<>();
        for (Dockerfile.Stage s : needed()) {
            CompletableFuture<?>[] before = deps.get(s.index()).stream().map(futures::get).toArray(CompletableFuture[]::new);
            futures.put(s.index(), CompletableFuture.allOf(before).thenApplyAsync(x -> build.apply(s), pool));
        }
        try {
            CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            // the first failing stage's exception, not a dependent's wrapper
            for (CompletableFuture<R> f : futures.values()) {
                if (f.isCompletedExceptionally()) {
                    try {
                        f.join();
                    } catch (CompletionException inner) {
                        Throwable c = inner.getCause();
                        if (c instanceof CompletionException ce) c = ce.getCause();
                        if (c instanceof RuntimeException re && !(c instanceof CompletionException)) throw re;
                        if (c instanceof Error err) throw err;
                    }
                }
            }
            throw e;
        }
        Map<Integer, R> out = new LinkedHashMap<>();
        futures.forEach((k, v) -> out.put(k, v.join()));
        return out;
    }
}
