package io.jcontainer.oci.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.Zstd;
import io.jcontainer.oci.Descriptor;
import io.jcontainer.oci.Digest;
import io.jcontainer.oci.Json;
import io.jcontainer.oci.MediaTypes;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Images the tests build themselves from Debian's busybox-static: a layer with {@code /bin/busybox}
 * and a few files, then layers that add, delete (whiteout) and hide (opaque) — one gzip, one
 * zstd, one plain tar, so every decompressor is exercised. Written as an OCI image layout
 * directory (what skopeo's {@code oci:} reads) and as bytes for pushing.
 */
public final class TestImage {
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    public record Blob(String mediaType, byte[] bytes) {
        public Digest digest() {
            return Digest.sha256(bytes);
        }

        public Descriptor descriptor() {
            return new Descriptor(mediaType, digest(), bytes.length);
        }
    }

    public final List<Blob> layers = new ArrayList<>();
    public final List<Digest> diffIds = new ArrayList<>();
    public Blob config;
    public Blob manifest;
    public String architecture = "amd64";
    public String variant;

    public static TestImage busybox(String marker) throws IOException {
        return busybox(marker, MediaTypes.OCI_LAYER_ZSTD);
    }

    /** {@code secondLayerType}: gzip for peers that cannot convert zstd (podman 4.3's docker-archive). */
    public static TestImage busybox(String marker, String secondLayerType) throws IOException {
        var img = new TestImage();
        byte[] busybox = Files.readAllBytes(BUSYBOX);
        img.layer(MediaTypes.OCI_LAYER_GZIP, new Tars()
                .dir("bin", 0755)
                .file("bin/busybox", busybox, 0755, 0, 0)
                .symlink("bin/sh", "busybox")
                .symlink("bin/echo", "busybox")
                .symlink("bin/cat", "busybox")
                .symlink("bin/ls", "busybox")
                .dir("etc", 0755)
                .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n")
                .file("etc/group", "root:x:0:\nnogroup:x:65534:\n")
                .dir("tmp", 01777)
                .tar());
        img.layer(secondLayerType, new Tars()
                .file("etc/marker", marker)
                .file("etc/doomed", "deleted by the next layer")
                .dir("opq", 0755)
                .file("opq/old", "hidden by the opaque marker above")
                .file("data/owned", "x".getBytes(UTF_8), 0600, 1000, 1000)
                .tar());
        img.layer(MediaTypes.OCI_LAYER, new Tars()
                .file("etc/.wh.doomed", "")
                .dir("opq", 0755)
                .file("opq/.wh..wh..opq", "")
                .file("opq/new", "from layer 3")
                .tar());
        img.finish();
        return img;
    }

    public TestImage layer(String mediaType, byte[] tar) {
        diffIds.add(Digest.sha256(tar));
        byte[] stored = switch (MediaTypes.layerCompression(mediaType)) {
            case NONE -> tar;
            case GZIP -> Tars.gzip(tar);
            case ZSTD -> Zstd.compress(tar, 3);
        };
        layers.add(new Blob(mediaType, stored));
        return this;
    }

    public TestImage finish() {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("created", "2026-01-02T03:04:05Z");
        c.put("architecture", architecture);
        if (variant != null) c.put("variant", variant);
        c.put("os", "linux");
        ObjectNode cfg = c.putObject("config");
        cfg.putArray("Entrypoint").add("/bin/sh");
        cfg.putArray("Cmd").add("-c").add("cat /etc/marker");
        cfg.putArray("Env").add("PATH=/bin").add("GREETING=hello");
        cfg.put("WorkingDir", "/tmp");
        cfg.put("User", "0:0");
        cfg.putObject("Volumes").putObject("/data");
        cfg.put("StopSignal", "SIGQUIT");
        cfg.putObject("Labels").put("org.example.test", "yes");
        cfg.putObject("ExposedPorts").putObject("8080/tcp");
        ObjectNode rootfs = c.putObject("rootfs");
        rootfs.put("type", "layers");
        var ids = rootfs.putArray("diff_ids");
        diffIds.forEach(d -> ids.add(d.toString()));
        var history = c.putArray("history");
        for (int i = 0; i < layers.size(); i++) history.addObject().put("created_by", "test layer " + (i + 1));
        config = new Blob(MediaTypes.OCI_CONFIG, Json.bytes(c));
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        m.set("config", config.descriptor().toJson());
        var ls = m.putArray("layers");
        layers.forEach(l -> ls.add(l.descriptor().toJson()));
        manifest = new Blob(MediaTypes.OCI_MANIFEST, Json.bytes(m));
        return this;
    }

    /** An OCI image layout with this image tagged {@code tag} (what skopeo's {@code oci:DIR:TAG} reads). */
    public Path writeLayout(Path dir, String tag) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        List<Blob> all = new ArrayList<>(layers);
        all.add(config);
        all.add(manifest);
        for (Blob b : all) Files.write(dir.resolve("blobs/sha256").resolve(b.digest().hex()), b.bytes());
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.put("schemaVersion", 2);
        index.putArray("manifests").add(manifest.descriptor()
                .withAnnotations(java.util.Map.of("org.opencontainers.image.ref.name", tag)).toJson());
        Files.write(dir.resolve("index.json"), Json.bytes(index));
        return dir;
    }

    /** The layout above as an OCI archive (a tar of it). */
    public Path writeArchive(Path file, String refName) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
             var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
            tar.setBigNumberMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.BIGNUMBER_POSIX);
            put(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(UTF_8));
            List<Blob> all = new ArrayList<>(layers);
            all.add(config);
            all.add(manifest);
            for (Blob b : all) put(tar, "blobs/sha256/" + b.digest().hex(), b.bytes());
            ObjectNode index = Json.MAPPER.createObjectNode();
            index.put("schemaVersion", 2);
            index.putArray("manifests").add(manifest.descriptor()
                    .withAnnotations(java.util.Map.of("io.containerd.image.name", refName)).toJson());
            put(tar, "index.json", Json.bytes(index));
            tar.finish();
        }
        return file;
    }

    private static void put(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar, String name, byte[] b) throws IOException {
        var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
        e.setSize(b.length);
        tar.putArchiveEntry(e);
        tar.write(b);
        tar.closeArchiveEntry();
    }
}
