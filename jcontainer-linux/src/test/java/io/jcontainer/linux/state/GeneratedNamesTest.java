package io.jcontainer.linux.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class GeneratedNamesTest {
    @TempDir
    Path tmp;

    static ContainerState record(String id, String name) {
        return new ContainerState(id, name, "<default>", List.of("true"), false, true, "TERM", 0, 0, 0, "2026-11-28T00:00:00Z", null,
                true, null, List.of(), "no");
    }

    @Test
    void anUnnamedRecordGetsAGeneratedNameThatFindsIt() {
        var store = new ContainerStore(tmp.resolve("store"));
        ContainerState a = store.createNamed(record("a".repeat(64), null));
        ContainerState b = store.createNamed(record("b".repeat(64), null));
        assertThat(a.name()).matches("[a-z]+_[a-z]+[0-9]*").isNotEqualTo(b.name());
        assertThat(store.find(a.name()).state().id()).isEqualTo(a.id());
        // a given name is kept
        assertThat(store.createNamed(record("c".repeat(64), "mine")).name()).isEqualTo("mine");
    }

    @Test
    void namesAreAdjectiveNounAndNeverTaken() {
        Random r = new Random(42);
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            String n = GeneratedNames.next(taken, r);
            assertThat(n).matches("[a-z]+_[a-z]+[0-9]*");
            assertThat(taken.add(n)).as("unique: " + n).isTrue();
        }
        // past the 1,600 plain pairs a number is appended, as docker does
        assertThat(taken).anyMatch(n -> n.matches(".*[0-9]"));
    }
}
