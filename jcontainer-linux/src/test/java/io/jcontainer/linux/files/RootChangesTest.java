package io.jcontainer.linux.files;

import io.jcontainer.linux.sys.NativeSyscalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The merge rules of {@link RootChanges} over layers in the OCI form ({@code .wh.NAME},
 * {@code .wh..wh..opq}: plain files, no root needed); the overlayfs form (0/0 devices, opaque
 * xattrs) is what {@code CommitDiffExportTest} makes a real overlay write.
 */
class RootChangesTest {
    @TempDir
    Path tmp;

    private Path layer(String name, String... entries) throws IOException {
        Path l = Files.createDirectories(tmp.resolve(name));
        for (String e : entries) {
            Path p = l.resolve(e);
            if (e.endsWith("/")) Files.createDirectories(p);
            else {
                Files.createDirectories(p.getParent());
                Files.writeString(p, name + ":" + e);
            }
        }
        return l;
    }

    @Test
    void diffAndExportFollowWhiteoutsAndOpaqueDirectoriesAcrossLayers() throws IOException {
        Path bottom = layer("bottom", "a", "b", "d/y", "e/f", "keep/k");
        Path middle = layer("middle", ".wh.b", "d/.wh..wh..opq", "d/x");
        Path upper = layer("upper", "a", "n", ".wh.e", "d/y", "keep/");
        List<Path> lowers = List.of(middle, bottom);
        var rc = new RootChanges(NativeSyscalls.INSTANCE);

        // d/y is new: the bottom's d/y is hidden by the middle layer's opaque d; b was deleted below the upper
        assertThat(rc.diff(upper, lowers, Set.of()).stream().map(Object::toString).toList())
                .containsExactly("C /a", "C /d", "A /d/y", "D /e", "C /keep", "A /n");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Path> all = new ArrayList<>();
        all.add(upper);
        all.addAll(lowers);
        rc.writeMerged(all, out);
        List<String> names = new ArrayList<>();
        try (var tar = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String content = e.isFile() ? new String(tar.readAllBytes()) : "";
                names.add(e.getName() + (content.isEmpty() ? "" : "=" + content));
            }
        }
        assertThat(names).containsExactly("a=upper:a", "d/", "d/x=middle:d/x", "d/y=upper:d/y", "keep/", "keep/k=bottom:keep/k", "n=upper:n");

        ByteArrayOutputStream layerTar = new ByteArrayOutputStream();
        rc.writeChanges(upper, lowers, Set.of(), layerTar);
        List<String> layerNames = new ArrayList<>();
        try (var tar = new TarArchiveInputStream(new ByteArrayInputStream(layerTar.toByteArray()))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) layerNames.add(e.getName());
        }
        assertThat(layerNames).containsExactly(".wh.e", "a", "d/", "d/y", "keep/", "n");
    }

    @Test
    void mountPointsTheRuntimeMadeAreNotChanges() throws IOException {
        Path lower = layer("lower", "bin/sh", "etc/");
        Path upper = layer("upper", "proc/", "dev/", "etc/hosts", "bin/new");
        var rc = new RootChanges(NativeSyscalls.INSTANCE);
        // /etc was copied up only to hold /etc/hosts' mount point: not a change either (docker's init layer)
        assertThat(rc.diff(upper, List.of(lower), Set.of("/proc", "/dev", "/etc/hosts")).stream().map(Object::toString).toList())
                .containsExactly("C /bin", "A /bin/new");
        // with a file of the container's beside it, /etc is changed
        Path written = layer("written", "etc/hosts", "etc/mine");
        assertThat(rc.diff(written, List.of(lower), Set.of("/etc/hosts")).stream().map(Object::toString).toList())
                .containsExactly("C /etc", "A /etc/mine");
    }
}
