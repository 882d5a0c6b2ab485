package io.jcontainer.oci.build;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class BuildCacheTest {
    @TempDir
    Path dir;

    @Test
    void keysDependOnEveryInputAndNotOnMapOrder() {
        String a = CacheKey.of("RUN").add("parent", "p").add("cmd", "make").add("args", Map.of("A", "1", "B", "2")).done();
        String b = CacheKey.of("RUN").add("parent", "p").add("cmd", "make").add("args", Map.of("B", "2", "A", "1")).done();
        String c = CacheKey.of("RUN").add("parent", "p").add("cmd", "make").add("args", Map.of("A", "1", "B", "3")).done();
        String d = CacheKey.of("RUN").add("parent", "q").add("cmd", "make").add("args", Map.of("A", "1", "B", "2")).done();
        // length prefixes: moving a boundary changes the key
        String e = CacheKey.of("RUN").add("ab").add("c").done();
        String f = CacheKey.of("RUN").add("a").add("bc").done();
        assertThat(a).isEqualTo(b).startsWith("sha256:").hasSize(71);
        assertThat(List.of(c, d)).doesNotContain(a);
        assertThat(e).isNotEqualTo(f);
    }

    @Test
    void concurrentWritersAndReadersNeverSeeAHalfRecord() throws Exception {
        BuildCache cache = new BuildCache(dir);
        String key = CacheKey.of("x").done();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger bad = new AtomicInteger();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        ObjectNode rec = JsonNodeFactory.instance.objectNode().put("writer", id).put("pad", "x".repeat(10_000));
                        cache.put(key, rec);
                        cache.get(key).ifPresentOrElse(r -> {
                            if (r.path("pad").asText().length() != 10_000) bad.incrementAndGet();
                        }, bad::incrementAndGet);
                    }
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(bad).hasValue(0);
        try (var s = Files.list(dir.resolve("tmp"))) {
            assertThat(s.count()).as("no temporary files left").isZero();
        }
    }

    @Test
    void theStepLockSerialisesTheSameStep() throws Exception {
        BuildCache cache = new BuildCache(dir);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 3; t++)
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        try (var l = cache.lock("sha256:" + "a".repeat(64))) {
                            max.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            Thread.onSpinWait();
                            inside.decrementAndGet();
                        }
                    }
                }));
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(max).hasValue(1);
    }
}
