package io.jcontainer.oci.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.DigestMismatchException;
import io.jcontainer.image.ImageException;
import io.jcontainer.image.ImageNotFoundException;
import io.jcontainer.oci.Descriptor;
import io.jcontainer.oci.Digest;
import io.jcontainer.oci.Json;
import io.jcontainer.oci.MediaTypes;
import io.jcontainer.oci.VerifyingInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The on-disk store: an OCI image layout ({@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/…}) plus jcontainer's own directories next to it.
 *
 * <pre>
 * root/                 0700: setuid files and devices in unpacked layers must not be reachable by others
 *   oci-layout          {"imageLayoutVersion":"1.0.0"}
 *   index.json          one manifest descriptor per image; tagged ones carry org.opencontainers.image.ref.name
 *   blobs/sha256/&lt;hex&gt;  content, written only by {@link #ingest} (verified, then renamed into place)
 *   ingest/             temporary files of transfers in progress (never visible as blobs)
 *   layers/&lt;chain hex&gt;/  unpacked layers, one directory per layer chain (see ChainId)
 *   gc.lock, index.lock locks shared between JVMs
 * </pre>
 *
 * Adding content happens under the shared {@link #gcLock()}; removal and garbage collection under
 * the exclusive one, so a blob fetched but not yet referenced is never collected. index.json is
 * rewritten under {@code index.lock} as write-temp-then-rename, so readers never see half a file.
 */
public final class Store {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    private static final AtomicLong SEQ = new AtomicLong();

    private final Path root;
    private final Path blobs;
    private final Path ingest;
    private final Path layers;
    private final StoreLock gcLock;
    private final StoreLock indexLock;

    /** One image in index.json: its manifest descriptor and the reference it is tagged as (or null). */
    public record Entry(Descriptor manifest, String refName) {
    }

    public Store(Path root) {
        this.root = root;
        this.blobs = root.resolve("blobs").resolve("sha256");
        this.ingest = root.resolve("ingest");
        this.layers = root.resolve("layers");
        try {
            createPrivate(root);
            for (Path p : List.of(root.resolve("blobs"), blobs, ingest, layers)) createPrivate(p);
            Path layout = root.resolve("oci-layout");
            if (!Files.exists(layout))
                writeAtomically(layout, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
        } catch (IOException e) {
            throw new ImageException("cannot create the image store at " + root + ": " + e, e);
        }
        this.gcLock = StoreLock.of(root.resolve("gc.lock"));
        this.indexLock = StoreLock.of(root.resolve("index.lock"));
        migrateLayers();
    }

    /**
     * Marks a layers/ directory whose whiteouts are in overlayfs' form (0/0 devices, opaque
     * xattrs). Directories unpacked before that (empty .wh. files, which the kernel's overlay
     * would show as files) are dropped once, under the exclusive lock; they are unpacked again
     * from their blobs when next needed.
     */
    public static final String LAYERS_FORMAT = ".overlay-whiteouts";

    /**
     * An ordinary user's layers/ whose directories and files carry the image's owners in
     * {@code user.containers.override_stat} (LayerUnpacker's ownerXattrs, read by fuse-overlayfs);
     * an ordinary user's directories unpacked before are dropped once, as above.
     */
    public static final String LAYERS_OWNERS = ".owner-xattrs";

    private void migrateLayers() {
        String mark = "root".equals(System.getProperty("user.name")) ? LAYERS_FORMAT : LAYERS_OWNERS;
        if (Files.exists(layers.resolve(mark))) return;
        try (var held = gcLock.exclusive(); var entries = Files.list(layers)) {
            if (Files.exists(layers.resolve(mark))) return;
            for (Path p : entries.toList()) deleteTree(p);
            Files.createFile(layers.resolve(LAYERS_FORMAT));
            if (!mark.equals(LAYERS_FORMAT)) Files.createFile(layers.resolve(mark));
        } catch (FileAlreadyExistsException raced) {
            // another JVM marked it
        } catch (IOException e) {
            throw new ImageException("cannot prepare " + layers + ": " + e, e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        io.jcontainer.oci.unpack.FsTree.delete(p);
    }

    private static void createPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException ignored) {
                // another JVM made it
            }
        }
    }

    public Path root() {
        return root;
    }

    public Path layersDir() {
        return layers;
    }

    /** Held exclusively while index.json is rewritten; shared, it keeps index.json as it is. */
    public StoreLock indexLock() {
        return indexLock;
    }

    public StoreLock gcLock() {
        return gcLock;
    }

    public Path blobPath(Digest d) {
        if (!d.algorithm().equals("sha256")) return root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
        return blobs.resolve(d.hex());
    }

    public boolean has(Digest d) {
        return Files.isRegularFile(blobPath(d), LinkOption.NOFOLLOW_LINKS);
    }

    public long size(Digest d) {
        try {
            return Files.size(blobPath(d));
        } catch (IOException e) {
            throw new ImageNotFoundException("blob " + d + " is not in the store at " + root);
        }
    }

    /** Reads a small blob (manifest, config) whole; refuses more than {@code limit} bytes. */
    public byte[] read(Digest d, long limit) {
        Path p = blobPath(d);
        try {
            long size = Files.size(p);
            if (size > limit) throw new ImageException("blob " + d + " is " + size + " bytes, more than the " + limit + " allowed");
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new ImageNotFoundException("blob " + d + " is not in the store at " + root);
        } catch (IOException e) {
            throw new ImageException("cannot read blob " + d + ": " + e, e);
        }
    }

    public InputStream open(Digest d) {
        try {
            return Files.newInputStream(blobPath(d));
        } catch (NoSuchFileException e) {
            throw new ImageNotFoundException("blob " + d + " is not in the store at " + root);
        } catch (IOException e) {
            throw new ImageException("cannot read blob " + d + ": " + e, e);
        }
    }

    /** Stores bytes already in memory (manifests, configs) under their sha256. */
    public Digest put(byte[] content) {
        Digest d = Digest.sha256(content);
        if (!has(d)) ingest(d, content.length, new java.io.ByteArrayInputStream(content));
        return d;
    }

    /** A fresh temporary file in ingest/, unique across threads and JVMs. */
    public Path newIngestFile(Digest d) {
        return ingest.resolve(d.hex() + "." + ProcessHandle.current().pid() + "." + SEQ.incrementAndGet());
    }

    /**
     * Streams {@code in} into a temporary file while verifying digest and size, then renames it to
     * the blob's place. Nothing partial is ever visible under blobs/; on any failure the temporary
     * file is removed. Two writers of the same blob both succeed, and one copy remains.
     */
    public Path ingest(Digest expected, long size, InputStream in) {
        Path tmp = newIngestFile(expected);
        try {
            try (var verifying = new VerifyingInputStream(in, expected, size, "blob " + expected);
                 OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                verifying.transferTo(out);
                verifying.drainAndVerify();
            }
            return commit(tmp, expected);
        } catch (IOException e) {
            throw new ImageException("cannot store blob " + expected + ": " + e, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Renames a verified temporary file to its blob path. */
    public Path commit(Path verifiedTmp, Digest d) {
        Path target = blobPath(d);
        try {
            Files.createDirectories(target.getParent());
            Files.move(verifiedTmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            deleteQuietly(verifiedTmp);
        } catch (AtomicMoveNotSupportedException e) {
            throw new ImageException("the store's ingest/ and blobs/ must be on one file system: " + e, e);
        } catch (IOException e) {
            throw new ImageException("cannot commit blob " + d + ": " + e, e);
        }
        return target;
    }

    /** Checks a stored blob against its digest (used before trusting content loaded from elsewhere). */
    public void verify(Digest d, long size) {
        try (var in = new VerifyingInputStream(open(d), d, size, "stored blob " + d)) {
            in.drainAndVerify();
        } catch (IOException e) {
            throw new ImageException("cannot read blob " + d + ": " + e, e);
        } catch (DigestMismatchException e) {
            deleteQuietly(blobPath(d));
            throw e;
        }
    }

    // ---- index.json -------------------------------------------------------------------------

    public List<Entry> entries() {
        Path index = root.resolve("index.json");
        if (!Files.exists(index)) return List.of();
        try {
            JsonNode n = Json.parse(Files.readAllBytes(index), index.toString());
            List<Entry> out = new ArrayList<>();
            for (JsonNode m : n.path("manifests")) {
                Descriptor d = Descriptor.fromJson(m, index.toString());
                out.add(new Entry(d, d.annotations().get(REF_NAME)));
            }
            return out;
        } catch (IOException e) {
            throw new ImageException("cannot read " + index + ": " + e, e);
        }
    }

    /** Read-modify-write of index.json under the index lock (safe across threads and JVMs). */
    public void updateEntries(UnaryOperator<List<Entry>> change) {
        try (var held = indexLock.exclusive()) {
            List<Entry> current = entries();
            List<Entry> updated = change.apply(new ArrayList<>(current));
            // nothing to change (a rebuild that hit the cache tags the image it tagged before):
            // no synchronous rewrite of index.json
            if (updated.equals(current)) return;
            ObjectNode index = Json.MAPPER.createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", MediaTypes.OCI_INDEX);
            ArrayNode manifests = index.putArray("manifests");
            for (Entry e : updated) {
                Map<String, String> ann = new java.util.TreeMap<>(e.manifest().annotations());
                ann.remove(REF_NAME);
                if (e.refName() != null) ann.put(REF_NAME, e.refName());
                manifests.add(e.manifest().withAnnotations(ann).toJson());
            }
            writeAtomically(root.resolve("index.json"), Json.bytes(index));
        } catch (IOException e) {
            throw new ImageException("cannot write " + root.resolve("index.json") + ": " + e, e);
        }
    }

    private void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + "." + SEQ.incrementAndGet());
        try {
            Files.write(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- removal ----------------------------------------------------------------------------

    /** Every blob and layer directory in the store. Used by GC; call under the exclusive gc lock. */
    public List<Digest> blobDigests() {
        try (var s = Files.list(blobs)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[a-f0-9]{64}"))
                    .map(n -> new Digest("sha256", n)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void deleteBlob(Digest d) {
        deleteQuietly(blobPath(d));
    }

    /** Removes ingest/ leftovers of dead transfers; call under the exclusive gc lock. */
    public void cleanIngest() {
        try (var s = Files.list(ingest)) {
            s.forEach(Store::deleteQuietly);
        } catch (IOException ignored) {
            // best effort
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
