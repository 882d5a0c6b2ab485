package io.jcontainer.oci.unpack;

import io.jcontainer.image.ImageException;
import io.jcontainer.image.UnsafeLayerException;
import io.jcontainer.oci.MediaTypes.Compression;
import io.jcontainer.oci.testing.Tars;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * SECURITY.md rows 27–32: crafted layers, applied one after the other into a root inside a
 * container directory next to a host canary. Whatever the layer does, the canary (a file and a
 * directory outside the root) stays byte-for-byte and time-for-time the same, and nothing
 * appears outside the root.
 */
class HostileLayerTest {

    @TempDir
    Path container;
    Path root;
    Path canary;
    Path canaryDir;
    FileTime canaryTime;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(container.resolve("root"));
        canary = Files.writeString(container.resolve("canary"), "host secret");
        canaryDir = Files.createDirectory(container.resolve("canary-dir"));
        Files.writeString(canaryDir.resolve("keep"), "keep");
        canaryTime = FileTime.fromMillis(1_000_000_000L);
        Files.setLastModifiedTime(canary, canaryTime);
    }

    @AfterEach
    void canaryUntouched() throws IOException {
        assertThat(Files.readString(canary)).isEqualTo("host secret");
        assertThat(Files.getLastModifiedTime(canary)).isEqualTo(canaryTime);
        assertThat(Files.getAttribute(canary, "unix:nlink")).isEqualTo(1);
        assertThat(Files.getAttribute(canary, "unix:mode")).isEqualTo(0100644);
        assertThat(Files.readString(canaryDir.resolve("keep"))).isEqualTo("keep");
        try (var s = Files.list(container)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("canary", "canary-dir", "root");
        }
        try (var s = Files.list(canaryDir)) {
            assertThat(s.count()).isEqualTo(1);
        }
    }

    /** Owners kept as the layer says when the test runs as root; an ordinary user cannot chown (the layers' owners are root). */
    static LayerUnpacker.Options flatten() {
        return LayerUnpacker.Options.flatten("root".equals(System.getProperty("user.name")));
    }

    void apply(byte[] tar) {
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), Compression.NONE, root, flatten());
    }

    /** Each case: the layers in order; the hostile one must be refused or stay inside. */
    static Stream<org.junit.jupiter.params.provider.Arguments> hostile() {
        String c = "../canary";
        return Stream.of(
                // row 27
                arguments("27 ../../x", List.of(new Tars().file("../../x", "evil").tar()), true),
                arguments("27 ../canary", List.of(new Tars().file(c, "evil").tar()), true),
                arguments("27 a/../../canary", List.of(new Tars().file("a/../../canary", "evil").tar()), true),
                arguments("27 /etc/x stays inside", List.of(new Tars().file("/etc/x", "ok").tar()), false),
                // row 28
                arguments("28 etc -> / then etc/passwd", List.of(
                        new Tars().symlink("etc", "/").tar(), new Tars().file("etc/passwd", "inside").tar()), false),
                arguments("28 x -> .. then x/canary", List.of(
                        new Tars().symlink("x", "..").tar(), new Tars().file("x/canary", "inside").tar()), false),
                arguments("28 x -> ../canary-dir then x/keep", List.of(
                        new Tars().symlink("x", "../canary-dir").tar(), new Tars().file("x/keep", "inside").tar()), false),
                arguments("28 same layer: d -> /.. and d/../canary-dir/keep", List.of(
                        new Tars().symlink("d", "/..").file("d/canary", "inside").tar()), false),
                arguments("28 a resolved parent replaced by a symlink out, same layer", List.of(
                        new Tars().dir("d", 0755).file("d/a", "x").symlink("d", "/../canary-dir").file("d/keep", "inside").tar()), false),
                arguments("28 a directory's deferred chmod/utimes after it became a symlink to the canary", List.of(
                        new Tars().dir("d", 0777).symlink("d", "../canary").tar()), false),
                arguments("28 chmod through link: l -> ../canary, then dir l", List.of(
                        new Tars().symlink("l", "../canary").tar(), new Tars().dir("l", 0777).tar()), false),
                arguments("28 file over a symlink to the canary", List.of(
                        new Tars().symlink("f", "../canary").tar(), new Tars().file("f", "replaces the link").tar()), false),
                // row 29
                arguments("29 hardlink to /etc/shadow", List.of(new Tars().hardlink("shadow", "/etc/shadow").tar()), true),
                arguments("29 hardlink out of the root", List.of(new Tars().hardlink("h", "../canary").tar()), true),
                arguments("29 hardlink through a symlink out", List.of(
                        new Tars().symlink("up", "..").tar(), new Tars().hardlink("h", "up/canary").tar()), true),
                // row 30
                arguments("30 bare .wh.", List.of(new Tars().file("a/.wh.", "").tar()), true),
                arguments("30 ../.wh.canary", List.of(new Tars().file("../.wh.canary", "").tar()), true),
                arguments("30 .wh... (parent)", List.of(new Tars().file(".wh..", "").tar()), true),
                arguments("30 opaque marker under a symlink out", List.of(
                        new Tars().symlink("o", "../canary-dir").tar(), new Tars().file("o/.wh..wh..opq", "").tar()), false),
                arguments("30 whiteout through a symlink out", List.of(
                        new Tars().symlink("w", "/../canary-dir").tar(), new Tars().file("w/.wh.keep", "").tar()), false),
                // row 31
                arguments("31 security.capability and trusted.* dropped", List.of(
                        new Tars().fileWithXattr("cap", "x", "security.capability", "\u0001\u0002")
                                .fileWithXattr("t", "x", "trusted.overlay.opaque", "y").tar()), false),
                arguments("31 device nodes skipped", List.of(
                        new Tars().device("mem", (byte) '4', 1, 1).device("null", (byte) '3', 1, 3).tar()), false)
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void staysInside(String name, List<byte[]> layers, boolean refused) {
        Supplier<Void> all = () -> {
            layers.forEach(this::apply);
            return null;
        };
        if (refused) assertThatThrownBy(all::get).isInstanceOf(ImageException.class);
        else all.get();
    }

    @Test
    void symlinkedParentsResolveInsideTheRoot() throws IOException {
        apply(new Tars().symlink("etc", "/").tar());
        apply(new Tars().file("etc/passwd", "inside").tar());
        assertThat(Files.readString(root.resolve("passwd"))).isEqualTo("inside");
        assertThat(Files.isSymbolicLink(root.resolve("etc"))).isTrue();
    }

    @Test
    void aReplacedParentIsResolvedAgain() throws IOException {
        apply(new Tars().dir("d", 0755).file("d/a", "x").symlink("d", "/../canary-dir").file("d/keep", "inside").tar());
        assertThat(Files.isSymbolicLink(root.resolve("d"))).isTrue();
        assertThat(Files.readString(root.resolve("canary-dir/keep"))).isEqualTo("inside");
    }

    @Test
    void setuidKeptButNoCapabilityXattr() throws IOException {
        apply(new Tars().file("bin/su", new byte[]{1}, 04755, 0, 0)
                .fileWithXattr("cap", "x", "security.capability", "y")
                .fileWithXattr("u", "x", "user.comment", "hello")
                .fileWithXattr("ov", "x", "user.overlay.redirect", "/etc").tar());
        assertThat(Files.getAttribute(root.resolve("bin/su"), "unix:mode")).isEqualTo(0104755);
        var view = Files.getFileAttributeView(root.resolve("cap"), java.nio.file.attribute.UserDefinedFileAttributeView.class);
        assertThat(view.list()).isEmpty();
        var u = Files.getFileAttributeView(root.resolve("u"), java.nio.file.attribute.UserDefinedFileAttributeView.class);
        assertThat(u.list()).containsExactly("comment");
        var ov = Files.getFileAttributeView(root.resolve("ov"), java.nio.file.attribute.UserDefinedFileAttributeView.class);
        assertThat(ov.list()).as("user.overlay.* steers a userxattr overlay: never from a layer").isEmpty();
        assertThat(Files.exists(root.resolve("mem"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    /**
     * fuse-overlayfs takes an entry's owner and mode from {@code user.containers.override_stat}
     * (and {@code user.fuseoverlayfs.*}) in a layer whose root carries it: a layer saying
     * "0:0:04755" of its own file would be a setuid-root program on that root. Never from a layer.
     */
    @Test
    void noFuseOverlayfsOwnerOrModeXattrFromALayer() throws IOException {
        apply(new Tars().fileWithXattr("sh", "x", "user.containers.override_stat", "0:0:04755")
                .fileWithXattr("f", "x", "user.fuseoverlayfs.override_stat", "0:0:04755").tar());
        for (String f : java.util.List.of("sh", "f"))
            assertThat(Files.getFileAttributeView(root.resolve(f), java.nio.file.attribute.UserDefinedFileAttributeView.class).list()).as(f).isEmpty();
    }

    /**
     * An unpack that cannot chown (an ordinary user's store) records the image's owners and modes
     * for fuse-overlayfs: on the layer's root (which turns it on for the layer), every directory
     * and regular file — made by the tar or as a missing parent — and never a symlink.
     */
    @Test
    void aLayerUnpackedWithoutChownRecordsTheImagesOwners() throws IOException {
        var options = new LayerUnpacker.Options(LayerUnpacker.Whiteouts.OVERLAY, null, Limits.DEFAULT, false, true);
        LayerUnpacker.unpack(new ByteArrayInputStream(new Tars().dir("home", 0750)
                .file("home/app", "x".getBytes(java.nio.charset.StandardCharsets.UTF_8), 04711, 1000, 1001)
                .file("implicit/parent/f", "y").symlink("l", "home").tar()), Compression.NONE, root, options);
        assertThat(ownerXattr(root)).isEqualTo("0:0:0755");
        assertThat(ownerXattr(root.resolve("home"))).isEqualTo("0:0:0750");
        assertThat(ownerXattr(root.resolve("home/app"))).isEqualTo("1000:1001:04711");
        assertThat(ownerXattr(root.resolve("implicit"))).isEqualTo("0:0:0755");
        assertThat(ownerXattr(root.resolve("implicit/parent/f"))).isEqualTo("0:0:0644");
        assertThat(Files.isSymbolicLink(root.resolve("l"))).isTrue();
    }

    static String ownerXattr(java.nio.file.Path p) throws IOException {
        var view = Files.getFileAttributeView(p, java.nio.file.attribute.UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        var b = java.nio.ByteBuffer.allocate(view.size("containers.override_stat"));
        view.read("containers.override_stat", b);
        return new String(b.array(), java.nio.charset.StandardCharsets.UTF_8);
    }

    // ---- row 32: limits ----------------------------------------------------------------------

    void applyWith(byte[] tar, Limits limits) {
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), Compression.NONE, root, flatten().withLimits(limits));
    }

    @Test
    void decompressionBombIsStoppedAtTheByteLimit() {
        // 1 GiB of zeros gzipped to ~1 MiB, streamed: never materialised here.
        InputStream bomb = new SequenceInputStream(new ByteArrayInputStream(bombHeader()), zeros(1L << 30));
        byte[] gz = gzipStream(bomb);
        var limits = new Limits(64L << 20, 1000, 64, 4096, Duration.ofMinutes(5));
        assertThatThrownBy(() -> LayerUnpacker.unpack(new ByteArrayInputStream(gz), Compression.GZIP, root, flatten().withLimits(limits)))
                .isInstanceOf(UnsafeLayerException.class).hasMessageContaining("decompression bomb");
    }

    @Test
    void tooManyEntries() {
        var t = new Tars();
        for (int i = 0; i < 2000; i++) t.file("f" + i, "");
        assertThatThrownBy(() -> applyWith(t.tar(), new Limits(1L << 30, 1000, 64, 4096, Duration.ofMinutes(5))))
                .isInstanceOf(UnsafeLayerException.class).hasMessageContaining("more than 1000 entries");
    }

    @Test
    void tooDeep() {
        String deep = "d/".repeat(200) + "f";
        assertThatThrownBy(() -> applyWith(new Tars().file(deep, "x").tar(), Limits.DEFAULT))
                .isInstanceOf(UnsafeLayerException.class).hasMessageContaining("deeper than");
    }

    @Test
    void hugePaxHeaderIsBoundedByTheByteLimit() {
        var t = new Tars().fileWithXattr("f", "x", "user.big", "v".repeat(8 << 20));
        assertThatThrownBy(() -> applyWith(t.tar(), new Limits(1 << 20, 1000, 64, 4096, Duration.ofMinutes(5))))
                .isInstanceOf(UnsafeLayerException.class);
    }

    private static byte[] bombHeader() {
        // a tar header for one regular file of 1 GiB
        var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("zeros");
        e.setSize(1L << 30);
        byte[] h = new byte[512];
        e.writeEntryHeader(h);
        return h;
    }

    private static InputStream zeros(long n) {
        return new InputStream() {
            long left = n;

            @Override
            public int read() {
                return left-- > 0 ? 0 : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) return -1;
                int k = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + k, (byte) 0);
                left -= k;
                return k;
            }
        };
    }

    private static byte[] gzipStream(InputStream in) {
        var out = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(out, 1 << 16)) {
            in.transferTo(gz);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @SuppressWarnings("unused")
    private static List<String> names(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.walk(dir)) {
            s.forEach(p -> out.add(dir.relativize(p).toString()));
        }
        return out;
    }
}
