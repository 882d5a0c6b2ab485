package io.jcontainer.linux.state;

import io.jcontainer.lifecycle.ContainerEvent;
import io.jcontainer.lifecycle.EventQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The journal's format, bound, replay and following across a rotation; no root. */
class EventJournalTest {
    @TempDir
    Path root;

    private static ContainerEvent ev(String action, int n) {
        return new ContainerEvent(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n), "container", action, "a".repeat(64),
                Map.of("name", "web", "n", String.valueOf(n)));
    }

    @Test
    void replaysFromSinceSkipsTornLinesAndStaysBounded() throws Exception {
        EventJournal j = new EventJournal(root, 2000);
        for (int i = 0; i < 100; i++) j.append(ev(i % 2 == 0 ? "start" : "die", i));
        Files.writeString(root.resolve(EventJournal.FILE), "{\"time\":\"garbage", StandardOpenOption.APPEND); // a writer killed mid-line
        Files.writeString(root.resolve(EventJournal.FILE), "\n", StandardOpenOption.APPEND);
        assertThat(Files.size(root.resolve(EventJournal.FILE)) + Files.size(root.resolve(EventJournal.OLD))).isLessThan(4100);

        List<ContainerEvent> got = new ArrayList<>();
        EventQuery q = new EventQuery(Instant.parse("2026-01-01T00:00:00Z"), Instant.now().minusSeconds(1), Map.of("event", List.of("die")));
        j.follow(q, got::add, () -> { });
        // what the bound kept: a contiguous, ordered run of the newest ones, filtered
        assertThat(got).isNotEmpty().allMatch(e -> e.action().equals("die"));
        List<Integer> ns = got.stream().map(e -> Integer.parseInt(e.attributes().get("n"))).toList();
        assertThat(ns).isSorted().endsWith(99);
        assertThat(ns.getLast() - ns.getFirst()).isEqualTo(2 * (ns.size() - 1));
    }

    @Test
    void aFollowerSeesNewEventsAcrossARotation() throws Exception {
        EventJournal j = new EventJournal(root, 1000);
        List<ContainerEvent> got = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch following = new java.util.concurrent.CountDownLatch(1);
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                j.follow(EventQuery.FOLLOW, e -> got.add(e) && got.size() < 30, following::countDown);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // following from now on once its first poll comes (it has found the end by then): a sleep stood in for this
        assertThat(following.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 30; i++) {
            j.append(ev("start", i));
            if (i % 4 == 0) Thread.sleep(250); // some lines read before a rotation, some after; once .events.1 read whole
        }
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(got.stream().map(e -> Integer.parseInt(e.attributes().get("n"))).toList())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 30).boxed().toList());
        assertThat(Files.exists(root.resolve(EventJournal.OLD))).isTrue();
    }
}
