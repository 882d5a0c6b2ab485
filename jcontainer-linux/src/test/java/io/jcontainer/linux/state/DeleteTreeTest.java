package io.jcontainer.linux.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitor;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Removing a container's directory while its monitor still works in it (removes its attach socket
 * as it exits): an entry that goes between the directory's read and its visit is skipped, not an
 * error. CI saw the error once: the API service's auto-remove of a --rm container failed on the
 * vanished attach socket, the container stayed, and docker's CLI waiting for its removal hung.
 */
class DeleteTreeTest {
    @TempDir
    Path tmp;

    private Path tree() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("container/sub"));
        for (String n : List.of("state.json", "log.json", "attach", "exit", "spec.json")) Files.writeString(dir.getParent().resolve(n), n);
        for (String n : List.of("a", "b", "c")) Files.writeString(dir.resolve(n), n);
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "kept");
        Files.createSymbolicLink(dir.getParent().resolve("link"), outside);
        return dir.getParent();
    }

    @Test
    void entriesRemovedByAnotherDuringTheWalkAreSkipped() throws Exception {
        Path dir = tree();
        List<Path> failed = new ArrayList<>();
        // the store's walk, with "the monitor" removing every other entry of a directory the moment the walk
        // visits its first file there: the directory was already read, so the walk meets names that are gone
        Files.walkFileTree(dir, new FileVisitor<>() {
            boolean first = true;

            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                return ContainerStore.DELETE.preVisitDirectory(d, a);
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                if (first) {
                    first = false;
                    try (var siblings = Files.list(file.getParent())) {
                        for (Path q : siblings.filter(q -> !q.equals(file)).toList()) removeAll(q);
                    }
                }
                return ContainerStore.DELETE.visitFile(file, a);
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                failed.add(file);
                return ContainerStore.DELETE.visitFileFailed(file, e);
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                return ContainerStore.DELETE.postVisitDirectory(d, e);
            }
        });
        assertThat(failed).as("entries the walk met after they were gone").isNotEmpty();
        assertThat(dir).doesNotExist();
        assertThat(tmp.resolve("outside.txt")).hasContent("kept");
    }

    @Test
    void aWholeTreeGoesItsLinksAreNotFollowedAndAMissingOneIsNoError() throws Exception {
        Path dir = tree();
        ContainerStore.deleteTree(dir);
        assertThat(dir).doesNotExist();
        assertThat(tmp.resolve("outside.txt")).hasContent("kept");
        ContainerStore.deleteTree(dir);
    }

    @Test
    void otherFailuresAreNotHidden() {
        Path p = tmp.resolve("x");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ContainerStore.DELETE.visitFileFailed(p, new java.nio.file.AccessDeniedException(p.toString())))
                .isInstanceOf(java.nio.file.AccessDeniedException.class);
        org.assertj.core.api.Assertions.assertThatCode(() -> ContainerStore.DELETE.visitFileFailed(p, new NoSuchFileException(p.toString())))
                .doesNotThrowAnyException();
    }

    private static void removeAll(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
