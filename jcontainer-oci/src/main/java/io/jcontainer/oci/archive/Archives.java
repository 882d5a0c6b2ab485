package io.jcontainer.oci.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.ArchiveFormat;
import io.jcontainer.image.DigestMismatchException;
import io.jcontainer.image.ImageException;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.InvalidImageException;
import io.jcontainer.image.UnsafeLayerException;
import io.jcontainer.oci.Descriptor;
import io.jcontainer.oci.Digest;
import io.jcontainer.oci.ImageConfigJson;
import io.jcontainer.oci.ImageManifest;
import io.jcontainer.oci.Json;
import io.jcontainer.oci.MediaTypes;
import io.jcontainer.oci.store.Store;
import io.jcontainer.oci.unpack.FsTree;
import io.jcontainer.oci.unpack.LayerUnpacker;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code save} and {@code load}: docker-archive ({@code manifest.json}, {@code <id>.json},
 * {@code <diffid>/layer.tar}, {@code repositories} — the format of {@code docker save}, read by
 * {@code docker load} and {@code podman load}) and OCI archive (an image layout in a tar). Layers
 * in a docker-archive are written uncompressed, so each file's digest is its diff id.
 * Loading extracts to a private directory under the store first (entries come in any order),
 * checks every digest, then commits blobs by rename.
 */
public final class Archives {
    private Archives() {
    }

    /** What to save: one image and the name it goes under (or null). */
    public record Image(Digest manifestDigest, ImageManifest.Manifest manifest, List<Digest> diffIds, String refName) {
    }

    public record Loaded(ImageManifest.Manifest manifest, String refName) {
    }

    private static final long MAX_METADATA = 16 << 20;

    public static void save(Store store, List<Image> images, Path archive, ArchiveFormat format) {
        Path tmp = archive.resolveSibling("." + archive.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            try (OutputStream out = Files.newOutputStream(tmp);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name())) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                if (format == ArchiveFormat.OCI_ARCHIVE) saveOci(store, images, tar);
                else saveDocker(store, images, tar);
                tar.finish();
            }
            Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ImageException("cannot write " + archive + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // reported above if it mattered
            }
        }
    }

    private static void saveOci(Store store, List<Image> images, TarArchiveOutputStream tar) throws IOException {
        putBytes(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        java.util.Set<Digest> written = new java.util.HashSet<>();
        putDir(tar, "blobs/");
        putDir(tar, "blobs/sha256/");
        for (Image i : images) {
            List<Descriptor> blobs = new ArrayList<>(i.manifest().layers());
            blobs.add(i.manifest().config());
            for (Descriptor d : blobs) if (written.add(d.digest())) putFile(tar, "blobs/sha256/" + d.digest().hex(), store.blobPath(d.digest()));
            if (written.add(i.manifestDigest())) putBytes(tar, "blobs/sha256/" + i.manifestDigest().hex(), i.manifest().raw());
            Map<String, String> ann = new LinkedHashMap<>();
            if (i.refName() != null) {
                ann.put("io.containerd.image.name", i.refName());
                ann.put(Store.REF_NAME, ImageReference.parse(i.refName()).tag());
            }
            manifests.add(new Descriptor(i.manifest().mediaType(), i.manifestDigest(), i.manifest().raw().length, null, null, ann).toJson());
        }
        putBytes(tar, "index.json", Json.bytes(index));
    }

    private static void saveDocker(Store store, List<Image> images, TarArchiveOutputStream tar) throws IOException {
        ArrayNode manifest = Json.MAPPER.createArrayNode();
        ObjectNode repositories = Json.MAPPER.createObjectNode();
        java.util.Set<String> written = new java.util.HashSet<>();
        for (Image i : images) {
            Digest cfg = i.manifest().config().digest();
            String cfgName = cfg.hex() + ".json";
            if (written.add(cfgName)) putFile(tar, cfgName, store.blobPath(cfg));
            ObjectNode m = manifest.addObject();
            m.put("Config", cfgName);
            ArrayNode tags = m.putArray("RepoTags");
            if (i.refName() != null) {
                ImageReference r = ImageReference.parse(i.refName());
                tags.add(r.familiarName() + ":" + r.tag());
                ObjectNode repo = repositories.has(r.familiarName()) ? (ObjectNode) repositories.get(r.familiarName()) : repositories.putObject(r.familiarName());
                repo.put(r.tag(), i.diffIds().getLast().hex());
            }
            ArrayNode layers = m.putArray("Layers");
            for (int n = 0; n < i.manifest().layers().size(); n++) {
                Descriptor layer = i.manifest().layers().get(n);
                Digest diffId = i.diffIds().get(n);
                String name = diffId.hex() + "/layer.tar";
                layers.add(name);
                if (!written.add(name)) continue;
                putDir(tar, diffId.hex() + "/");
                putBytes(tar, diffId.hex() + "/VERSION", "1.0".getBytes(StandardCharsets.UTF_8));
                putUncompressed(tar, name, store, layer, diffId);
            }
        }
        putBytes(tar, "manifest.json", Json.bytes(manifest));
        putBytes(tar, "repositories", Json.bytes(repositories));
    }

    /** Decompresses a layer into ingest/ first: a tar header needs the size before the content. */
    private static void putUncompressed(TarArchiveOutputStream tar, String name, Store store, Descriptor layer, Digest diffId) throws IOException {
        Path tmp = store.newIngestFile(diffId);
        try {
            MessageDigest md = diffId.newMessageDigest();
            try (InputStream in = new DigestInputStream(LayerUnpacker.decompress(store.open(layer.digest()),
                    MediaTypes.layerCompression(layer.mediaType())), md); OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            }
            Digest actual = Digest.of("sha256", md.digest());
            if (!actual.equals(diffId)) throw new DigestMismatchException("layer " + layer.digest() + " decompresses to " + actual + ", not " + diffId);
            putFile(tar, name, tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void putDir(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(040755);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void putBytes(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        e.setMode(0100644);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void putFile(TarArchiveOutputStream tar, String name, Path file) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(Files.size(file));
        e.setMode(0100644);
        tar.putArchiveEntry(e);
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(tar);
        }
        tar.closeArchiveEntry();
    }

    // ---- load ---------------------------------------------------------------------------------

    public static List<Loaded> load(Store store, Path archive) {
        Path work = store.root().resolve("ingest").resolve("load-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createDirectory(work);
            Map<String, Path> files = extract(archive, work);
            if (files.containsKey("oci-layout")) return loadOci(store, files, archive);
            if (files.containsKey("manifest.json")) return loadDocker(store, files, archive);
            throw new InvalidImageException(archive + " is neither a docker-archive (manifest.json) nor an OCI archive (oci-layout)");
        } catch (IOException e) {
            throw new ImageException("cannot load " + archive + ": " + e, e);
        } finally {
            FsTree.deleteQuietly(work);
        }
    }

    /** Regular files only, under flat names we make ourselves: nothing in the archive picks a path. */
    private static Map<String, Path> extract(Path archive, Path work) throws IOException {
        Map<String, Path> files = new HashMap<>();
        int n = 0;
        try (InputStream raw = Files.newInputStream(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(LayerUnpacker.decompress(raw, MediaTypes.Compression.NONE), StandardCharsets.UTF_8.name())) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isFile()) continue;
                String name = e.getName();
                while (name.startsWith("./")) name = name.substring(2);
                if (name.contains("..") || name.startsWith("/")) throw new UnsafeLayerException("archive entry \"" + e.getName() + "\" refused");
                if (++n > 100_000) throw new UnsafeLayerException(archive + " has more than 100000 files");
                Path f = work.resolve("f" + n);
                Files.copy(tar, f);
                files.put(name, f);
            }
        }
        return files;
    }

    private static byte[] small(Map<String, Path> files, String name, Path archive) throws IOException {
        Path p = files.get(name);
        if (p == null) throw new InvalidImageException(archive + " lacks " + name);
        if (Files.size(p) > MAX_METADATA) throw new InvalidImageException(archive + ": " + name + " is larger than " + MAX_METADATA + " bytes");
        return Files.readAllBytes(p);
    }

    private static void ingestFile(Store store, Path file, Digest expected, long size) throws IOException {
        if (store.has(expected)) return;
        try (InputStream in = Files.newInputStream(file)) {
            store.ingest(expected, size, in);
        }
    }

    private static List<Loaded> loadOci(Store store, Map<String, Path> files, Path archive) throws IOException {
        JsonNode index = Json.parse(small(files, "index.json", archive), archive + " index.json");
        List<Loaded> out = new ArrayList<>();
        for (JsonNode m : index.path("manifests")) {
            Descriptor d = Descriptor.fromJson(m, archive + " index.json");
            byte[] raw = small(files, "blobs/sha256/" + d.digest().hex(), archive);
            if (!Digest.sha256(raw).equals(d.digest())) throw new DigestMismatchException(archive + ": manifest " + d.digest() + " does not match its digest");
            if (!(ImageManifest.parse(raw, d.mediaType(), archive + " manifest " + d.digest()) instanceof ImageManifest.Manifest man))
                throw new InvalidImageException(archive + ": nested indexes are not supported in an archive");
            List<Descriptor> blobs = new ArrayList<>(man.layers());
            blobs.add(man.config());
            for (Descriptor b : blobs) {
                Path f = files.get("blobs/sha256/" + b.digest().hex());
                if (f == null) throw new InvalidImageException(archive + " lacks blob " + b.digest());
                ingestFile(store, f, b.digest(), b.size());
            }
            store.put(raw);
            String name = d.annotations().get("io.containerd.image.name");
            String tag = d.annotations().get(Store.REF_NAME);
            if (name == null && tag != null) name = ImageReference.isValid(tag) ? ImageReference.parse(tag).toString() : null;
            out.add(new Loaded(man, name));
        }
        return out;
    }

    private static List<Loaded> loadDocker(Store store, Map<String, Path> files, Path archive) throws IOException {
        JsonNode manifest = Json.MAPPER.readTree(small(files, "manifest.json", archive));
        if (!manifest.isArray()) throw new InvalidImageException(archive + ": manifest.json is not an array");
        List<Loaded> out = new ArrayList<>();
        for (JsonNode image : manifest) {
            byte[] config = small(files, image.path("Config").asText(), archive);
            Digest configDigest = store.put(config);
            ImageConfigJson cfg = ImageConfigJson.parse(config, archive + " config");
            JsonNode layerNames = image.path("Layers");
            if (layerNames.size() != cfg.diffIds().size())
                throw new InvalidImageException(archive + ": " + layerNames.size() + " layers but " + cfg.diffIds().size() + " diff_ids");
            ObjectNode m = Json.MAPPER.createObjectNode();
            m.put("schemaVersion", 2);
            m.put("mediaType", MediaTypes.OCI_MANIFEST);
            m.set("config", new Descriptor(MediaTypes.OCI_CONFIG, configDigest, config.length).toJson());
            ArrayNode layers = m.putArray("layers");
            for (int i = 0; i < layerNames.size(); i++) {
                Path f = files.get(layerNames.get(i).asText());
                if (f == null) throw new InvalidImageException(archive + " lacks " + layerNames.get(i).asText());
                Digest diffId = cfg.diffIds().get(i);
                Digest fileDigest = digestOf(f);
                String mediaType = MediaTypes.OCI_LAYER;
                if (!fileDigest.equals(diffId)) {
                    // a compressed layer file: its tar stream must still be the diff id
                    Digest unpacked = digestOf(LayerUnpacker.decompress(Files.newInputStream(f), MediaTypes.Compression.NONE));
                    if (!unpacked.equals(diffId))
                        throw new DigestMismatchException(archive + ": layer " + layerNames.get(i).asText() + " is " + unpacked + ", the config says " + diffId);
                    mediaType = isZstd(f) ? MediaTypes.OCI_LAYER_ZSTD : MediaTypes.OCI_LAYER_GZIP;
                }
                long size = Files.size(f);
                ingestFile(store, f, fileDigest, size);
                layers.add(new Descriptor(mediaType, fileDigest, size).toJson());
            }
            byte[] raw = Json.bytes(m);
            store.put(raw);
            var parsed = (ImageManifest.Manifest) ImageManifest.parse(raw, MediaTypes.OCI_MANIFEST, "loaded manifest");
            JsonNode tags = image.path("RepoTags");
            if (tags.isEmpty()) out.add(new Loaded(parsed, null));
            for (JsonNode t : tags) {
                ImageReference r = ImageReference.parse(t.asText());
                out.add(new Loaded(parsed, r.name() + ":" + r.tag()));
            }
        }
        return out;
    }

    private static boolean isZstd(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] b = in.readNBytes(4);
            return b.length == 4 && (b[0] & 0xff) == 0x28 && (b[1] & 0xff) == 0xb5;
        }
    }

    private static Digest digestOf(Path f) throws IOException {
        return digestOf(Files.newInputStream(f));
    }

    private static Digest digestOf(InputStream stream) throws IOException {
        MessageDigest md = new Digest("sha256", "0".repeat(64)).newMessageDigest();
        try (InputStream in = new DigestInputStream(stream, md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return Digest.of("sha256", md.digest());
    }
}
