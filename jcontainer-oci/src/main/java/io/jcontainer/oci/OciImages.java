package io.jcontainer.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.image.ArchiveFormat;
import io.jcontainer.image.DigestMismatchException;
import io.jcontainer.image.ImageException;
import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.ImageNotFoundException;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.InvalidImageException;
import io.jcontainer.image.Platform;
import io.jcontainer.image.ProgressListener;
import io.jcontainer.image.RegistryConfig;
import io.jcontainer.image.UnsupportedPlatformException;
import io.jcontainer.oci.archive.Archives;
import io.jcontainer.image.RegistryCredentials;
import io.jcontainer.oci.registry.DockerConfig;
import io.jcontainer.oci.registry.Endpoints;
import io.jcontainer.oci.registry.RegistryClient;
import io.jcontainer.oci.store.Store;
import io.jcontainer.oci.store.StoreLock;
import io.jcontainer.oci.unpack.FsTree;
import io.jcontainer.oci.unpack.LayerUnpacker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Images} over a {@link Store} and a {@link RegistryClient}. Each public operation reads top
 * to bottom: resolve, fetch or read, verify, commit, then index.json.
 */
public final class OciImages implements Images {

    /** Annotation on index.json entries: {@code name@digest} the image was pulled or pushed as. */
    public static final String REPO_DIGEST = "io.jcontainer.repo-digest";
    private static final int MAX_CONFIG = 8 << 20;
    private static final int PARALLEL_LAYERS = 4;
    private static final AtomicLong SEQ = new AtomicLong();

    private final ImagesOptions options;
    private final Store store;
    private final Endpoints endpoints;
    /** Made at the first registry call: its HttpClient sets up TLS (~0.2 s of a CLI run) that local work never needs. */
    private RegistryClient registry;
    private final DockerConfig dockerConfig;
    private final ExecutorService transfers;
    private final ExecutorService unpackers;
    private final boolean root;

    public OciImages(ImagesOptions options) {
        this.options = options;
        this.store = new Store(options.storageRoot());
        RegistryConfig rc = options.registries() == RegistryConfig.DEFAULT
                ? RegistriesFile.read(options.storageRoot().resolve("registries.json")) : options.registries();
        this.dockerConfig = new DockerConfig(options.dockerConfig());
        this.endpoints = new Endpoints(rc);
        this.transfers = Executors.newFixedThreadPool(PARALLEL_LAYERS, r -> {
            Thread t = new Thread(r, "jcontainer-image-transfer");
            t.setDaemon(true);
            return t;
        });
        // One unpacking thread per layer in flight: a streamed unpack must never wait for a pool
        // slot while its download waits for it (the pipe is bounded).
        this.unpackers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "jcontainer-image-unpack");
            t.setDaemon(true);
            return t;
        });
        this.root = "root".equals(System.getProperty("user.name"));
    }

    public Store store() {
        return store;
    }

    /**
     * The client for one pull or push: the shared one, or a view with {@code credentials} for
     * {@code ref}'s registry and a token cache of its own (nothing to close: it uses the shared
     * one's connections and is dropped with the request).
     */
    private RegistryClient registryClient(ImageReference ref, RegistryCredentials credentials) {
        RegistryClient rc = registryClient();
        if (credentials == null) return rc;
        return rc.withCredentials(Map.of(ref.registry(),
                new DockerConfig.Credentials(credentials.username(), credentials.secret(), credentials.identityToken())));
    }

    public synchronized RegistryClient registryClient() {
        if (registry == null) registry = new RegistryClient(endpoints, dockerConfig);
        return registry;
    }

    // ---- pull ---------------------------------------------------------------------------------

    @Override
    public ImageInfo pull(String reference, ProgressListener listener) {
        return pull(reference, options.platform(), listener);
    }

    @Override
    public ImageInfo pull(String reference, Platform platform, ProgressListener listener) {
        return pull(reference, platform, listener, null);
    }

    @Override
    public ImageInfo pull(String reference, Platform platform, ProgressListener listener, RegistryCredentials credentials) {
        if (platform == null) platform = options.platform();
        ImageReference ref = ImageReference.parse(reference);
        RegistryClient rc = registryClient(ref, credentials);
        try (var held = store.gcLock().shared()) {
            RegistryClient.Fetched top = rc.manifest(ref.registry(), ref.repository(), ref.reference());
            listener.resolved(ref, top.digest().toString());
            ImageManifest.Manifest manifest;
            Digest manifestDigest;
            if (top.manifest() instanceof ImageManifest.Index index) {
                Descriptor chosen = selectPlatform(index, platform, ref);
                RegistryClient.Fetched one = rc.manifest(ref.registry(), ref.repository(), chosen.digest().toString());
                if (!(one.manifest() instanceof ImageManifest.Manifest m))
                    throw new InvalidImageException(ref + ": the index entry for " + platform + " is itself an index");
                manifest = m;
                manifestDigest = one.digest();
                store.put(index.raw());
            } else {
                manifest = (ImageManifest.Manifest) top.manifest();
                manifestDigest = top.digest();
            }

            Descriptor cfg = manifest.config();
            if (!store.has(cfg.digest())) {
                byte[] config = rc.blobBytes(ref.registry(), ref.repository(), cfg, MAX_CONFIG);
                store.ingest(cfg.digest(), cfg.size(), new java.io.ByteArrayInputStream(config));
            }
            ImageConfigJson config = ImageConfigJson.parse(store.read(cfg.digest(), MAX_CONFIG), "config " + cfg.digest());
            if (config.diffIds().size() != manifest.layers().size())
                throw new InvalidImageException(ref + ": the manifest has " + manifest.layers().size()
                        + " layers but the config lists " + config.diffIds().size() + " diff_ids");

            fetchLayers(rc, ref, manifest.layers(), config.diffIds(), listener);
            // Layers whose blobs were already here (or whose streaming unpack gave up) are
            // unpacked from the store: a pulled image is ready to run, as docker's.
            unpackLayers(manifest, config, ref.toString());
            store.put(manifest.raw());
            Descriptor entry = new Descriptor(manifest.mediaType(), manifestDigest, manifest.raw().length, null, null,
                    Map.of(REPO_DIGEST, ref.name() + "@" + top.digest()));
            point(ref.tag() != null ? ref.name() + ":" + ref.tag() : null, entry);
            listener.done(ref, top.digest().toString());
        }
        return inspect(ref.tag() != null ? ref.name() + ":" + ref.tag() : ref.toString());
    }

    private static Descriptor selectPlatform(ImageManifest.Index index, Platform platform, ImageReference ref) {
        List<String> offered = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            if (d.platform() == null) continue;
            offered.add(d.platform().toString());
            if (platform.matches(d.platform()) && MediaTypes.MANIFESTS.contains(d.mediaType())) return d;
        }
        throw new UnsupportedPlatformException(ref + " has no image for " + platform + " (it offers " + offered + ")");
    }

    private void fetchLayers(RegistryClient rc, ImageReference ref, List<Descriptor> layers, List<Digest> diffIds, ProgressListener listener) {
        List<Future<?>> running = new ArrayList<>();
        List<Digest> chains = ImageConfigJson.chainIds(diffIds);
        for (int i = 0; i < layers.size(); i++) {
            Descriptor layer = layers.get(i);
            Digest chain = chains.get(i);
            Digest diffId = diffIds.get(i);
            running.add(transfers.submit(() -> fetchLayer(rc, ref, layer, chain, diffId, listener)));
        }
        RuntimeException first = null;
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) first = e.getCause() instanceof RuntimeException re ? re : new ImageException(e.getCause().toString(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.forEach(x -> x.cancel(true));
                throw new ImageException("pull of " + ref + " interrupted");
            }
        }
        if (first != null) throw first;
    }

    /**
     * One blob, once per store: a per-blob lock (shared by JVMs) makes a second puller wait for
     * the first and then find the blob present. The download goes to ingest/&lt;hex&gt;.partial,
     * which a later pull resumes after an interruption, and is renamed to blobs/ only verified.
     */
    private void fetchLayer(RegistryClient rc, ImageReference ref, Descriptor layer, Digest chain, Digest diffId, ProgressListener listener) {
        if (store.has(layer.digest())) {
            listener.layerDone(layer.digest().toString(), true);
            return;
        }
        Path partial = store.root().resolve("ingest").resolve(layer.digest().hex() + ".partial");
        try (var held = StoreLock.of(store.root().resolve("ingest").resolve(layer.digest().hex() + ".lock")).exclusive()) {
            if (store.has(layer.digest())) {
                listener.layerDone(layer.digest().toString(), true);
                return;
            }
            listener.layerStarted(layer.digest().toString(), layer.size());
            // Unpacked while it downloads (one pass over the bytes, the unpack overlapping the
            // transfer), into a private directory published only once the blob is verified and
            // the tar's digest is the diff id. Anything else — a resumed download, a failure —
            // leaves the unpack to unpackLayers, from the verified blob.
            Streamed streamed = Files.exists(partial) || Files.isDirectory(store.layersDir().resolve(chain.hex()))
                    ? null : startStreamedUnpack(layer, chain);
            try {
                rc.fetchBlob(ref.registry(), ref.repository(), layer, partial,
                        done -> listener.layerProgress(layer.digest().toString(), done, layer.size()), streamed == null ? null : streamed.pipe);
                store.commit(partial, layer.digest());
            } finally {
                if (streamed != null) streamed.finish(diffId);
            }
        }
        // The lock file stays: deleting it while another JVM waits on it would split the lock.
        // GC removes ingest/ under the exclusive store lock, when nobody can hold it.
        listener.layerDone(layer.digest().toString(), false);
    }

    /** A layer being unpacked from its download: the pipe, the unpack's future, its directory. */
    private final class Streamed {
        final LayerPipe pipe = new LayerPipe();
        final Path tmp;
        final Path dir;
        final Descriptor layer;
        Future<LayerUnpacker.Result> unpack;

        Streamed(Descriptor layer, Path tmp, Path dir) {
            this.layer = layer;
            this.tmp = tmp;
            this.dir = dir;
        }

        /** Publishes the directory when the unpack succeeded with the right diff id; else leaves it to unpackLayers. */
        void finish(Digest diffId) {
            try {
                LayerUnpacker.Result r = unpack.get();
                if (r.diffId().equals(diffId) && store.has(layer.digest())) publish(tmp, dir);
            } catch (ExecutionException | IOException e) {
                // the unpack from the stored blob (unpackLayers) does it again and reports what is wrong
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                FsTree.deleteQuietly(tmp);
            }
        }
    }

    private Streamed startStreamedUnpack(Descriptor layer, Digest chain) {
        Path tmp = store.layersDir().resolve(".tmp-" + chain.shortHex() + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            return null;                                  // unpacked from the blob later, which reports it
        }
        Streamed s = new Streamed(layer, tmp, store.layersDir().resolve(chain.hex()));
        s.unpack = unpackers.submit(() -> {
            try (InputStream in = s.pipe.source) {
                return LayerUnpacker.unpack(in, MediaTypes.layerCompression(layer.mediaType()), tmp, perLayerOptions());
            }
        });
        return s;
    }

    /** Renames a complete layer directory into place; another JVM or thread may have been first (theirs is identical). */
    private static void publish(Path tmp, Path dir) throws IOException {
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileSystemException raced) {
            // rename(2) onto a non-empty directory fails with ENOTEMPTY (or EEXIST), which the JDK
            // reports as a plain FileSystemException, not DirectoryNotEmptyException.
            if (!Files.isDirectory(dir)) throw raced;
        }
    }

    /**
     * Points {@code refName} at {@code manifest} in index.json. An image that loses its last name
     * stays as a dangling entry (docker's {@code <none>}), removed by prune.
     */
    void point(String refName, Descriptor manifest) {
        // already so (a rebuild from the cache tags the same image again): index.json is left as it is
        if (refName != null && store.entries().stream().anyMatch(e -> refName.equals(e.refName()) && e.manifest().digest().equals(manifest.digest())))
            return;
        store.updateEntries(entries -> {
            List<Store.Entry> out = new ArrayList<>();
            for (Store.Entry e : entries) {
                boolean sameImage = e.manifest().digest().equals(manifest.digest());
                if (refName != null && refName.equals(e.refName())) {
                    if (!sameImage) out.add(new Store.Entry(e.manifest(), null));
                    continue;
                }
                if (sameImage && e.refName() == null) continue;       // replaced by the new entry
                out.add(e);
            }
            out.add(new Store.Entry(manifest, refName));
            return dedupeDangling(out);
        });
    }

    private static List<Store.Entry> dedupeDangling(List<Store.Entry> entries) {
        Set<Digest> named = new HashSet<>();
        for (Store.Entry e : entries) if (e.refName() != null) named.add(e.manifest().digest());
        Set<Digest> seen = new HashSet<>();
        List<Store.Entry> out = new ArrayList<>();
        for (Store.Entry e : entries) {
            if (e.refName() == null && (named.contains(e.manifest().digest()) || !seen.add(e.manifest().digest()))) continue;
            out.add(e);
        }
        return out;
    }

    // ---- reading the store ----------------------------------------------------------------------

    /** A stored image: its manifest and config, and the entries that name it. */
    public record Stored(Digest manifestDigest, ImageManifest.Manifest manifest, ImageConfigJson config, Digest configDigest,
                         List<Store.Entry> entries) {
    }

    /**
     * The stored images as of one version of a store's index.json, per store and JVM: a test
     * class's container field resolves its image at every test, and parsing every stored
     * manifest and config for it is most of a {@code builder().image(...)}. index.json is only
     * ever replaced by a rename (a new inode) under the index lock, and manifests and configs
     * are content-addressed, so its inode, size and time say whether the parse still holds.
     */
    private record IndexVersion(Object fileKey, long size, long modified, Map<Digest, Stored> images) {
    }

    private static final Map<Path, IndexVersion> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    private Map<Digest, Stored> images() {
        Path index = store.root().resolve("index.json");
        java.nio.file.attribute.BasicFileAttributes a;
        try {
            a = Files.readAttributes(index, java.nio.file.attribute.BasicFileAttributes.class);
        } catch (IOException none) {
            a = null;
        }
        IndexVersion v = a == null ? null : PARSED.get(index);
        if (v != null && a.fileKey() != null && a.fileKey().equals(v.fileKey()) && a.size() == v.size()
                && a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS) == v.modified()) return v.images();
        Map<Digest, Stored> parsed = java.util.Collections.unmodifiableMap(parseImages());
        // what was read may be newer than the attributes (a rename in between): then the next call parses again
        if (a != null && a.fileKey() != null)
            PARSED.put(index, new IndexVersion(a.fileKey(), a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), parsed));
        return parsed;
    }

    private Map<Digest, Stored> parseImages() {
        Map<Digest, List<Store.Entry>> byManifest = new LinkedHashMap<>();
        for (Store.Entry e : store.entries()) byManifest.computeIfAbsent(e.manifest().digest(), k -> new ArrayList<>()).add(e);
        Map<Digest, Stored> out = new LinkedHashMap<>();
        for (var m : byManifest.entrySet()) {
            ImageManifest parsed = ImageManifest.parse(store.read(m.getKey(), ImageManifest.MAX_BYTES), null, "stored manifest " + m.getKey());
            if (!(parsed instanceof ImageManifest.Manifest man)) continue;
            Digest cfg = man.config().digest();
            out.put(m.getKey(), new Stored(m.getKey(), man, ImageConfigJson.parse(store.read(cfg, MAX_CONFIG), "config " + cfg), cfg, m.getValue()));
        }
        return out;
    }

    /** Finds one image: by reference, by id or manifest digest, or by an id prefix of ≥ 12 hex digits. */
    public Stored resolve(String image) {
        Map<Digest, Stored> all = images();
        String hex = image.startsWith("sha256:") ? image.substring(7) : image;
        if (hex.matches("[a-f0-9]{12,64}")) {
            List<Stored> hits = all.values().stream()
                    .filter(s -> s.configDigest().hex().startsWith(hex) || s.manifestDigest().hex().startsWith(hex)).toList();
            Set<Digest> ids = new HashSet<>();
            hits.forEach(s -> ids.add(s.configDigest()));
            if (ids.size() > 1) throw new ImageException("image id prefix " + image + " is ambiguous");
            if (!hits.isEmpty()) return hits.getFirst();
        }
        ImageReference ref = ImageReference.parse(image);
        String tagName = ref.tag() != null ? ref.name() + ":" + ref.tag() : null;
        for (Stored s : all.values()) {
            for (Store.Entry e : s.entries()) {
                if (ref.digest() == null && tagName.equals(e.refName())) return s;
                if (ref.digest() != null) {
                    String rd = e.manifest().annotations().get(REPO_DIGEST);
                    if ((ref.name() + "@" + ref.digest()).equals(rd) || (s.manifestDigest().toString().equals(ref.digest())
                            && (tagName == null || tagName.equals(e.refName()) || rd != null && rd.startsWith(ref.name() + "@"))))
                        return s;
                }
            }
        }
        throw new ImageNotFoundException("image " + image + " (" + ref + ") is not in the store at " + store.root());
    }

    private ImageInfo info(Stored s) {
        List<String> tags = new ArrayList<>();
        Set<String> digests = new java.util.TreeSet<>();
        for (Store.Entry e : s.entries()) {
            if (e.refName() != null) tags.add(e.refName());
            String rd = e.manifest().annotations().get(REPO_DIGEST);
            if (rd != null) digests.add(rd);
        }
        var c = s.config();
        return new ImageInfo(s.configDigest().toString(), s.manifestDigest().toString(), tags, List.copyOf(digests),
                c.created(), c.platform(), s.manifest().layersSize(), c.config(),
                c.diffIds().stream().map(Digest::toString).toList(), c.history());
    }

    @Override
    public List<ImageInfo> list() {
        return images().values().stream().map(this::info).toList();
    }

    @Override
    public ImageInfo inspect(String image) {
        return info(resolve(image));
    }

    @Override
    public boolean exists(String image) {
        try {
            resolve(image);
            return true;
        } catch (ImageNotFoundException e) {
            return false;
        }
    }

    @Override
    public void tag(String source, String target) {
        Stored s = resolve(source);
        ImageReference t = ImageReference.parse(target);
        if (t.tag() == null) throw new io.jcontainer.image.InvalidReferenceException(target, "a tag target needs a tag, not a digest");
        Store.Entry any = s.entries().getFirst();
        Map<String, String> ann = new HashMap<>(any.manifest().annotations());
        ann.remove(Store.REF_NAME);
        point(t.name() + ":" + t.tag(), any.manifest().withAnnotations(ann));
    }

    // ---- removal -----------------------------------------------------------------------------

    @Override
    public List<String> remove(String image, boolean force) {
        List<String> out = new ArrayList<>();
        try (var held = store.gcLock().exclusive()) {
            Stored s = resolve(image);
            boolean byName = !image.matches("(sha256:)?[a-f0-9]{12,64}");
            List<String> tags = s.entries().stream().map(Store.Entry::refName).filter(java.util.Objects::nonNull).toList();
            String untag = null;
            if (byName) {
                ImageReference ref = ImageReference.parse(image);
                if (ref.tag() != null && ref.digest() == null) untag = ref.name() + ":" + ref.tag();
            }
            if (untag != null && tags.size() > 1) {
                String u = untag;
                store.updateEntries(entries -> new ArrayList<>(entries.stream().filter(e -> !u.equals(e.refName())).toList()));
                out.add("Untagged: " + ImageReference.parse(untag).familiarName() + ":" + ImageReference.parse(untag).tag());
                return out;
            }
            if (!byName && tags.size() > 1 && !force)
                throw new ImageException("image " + image + " is referenced by " + tags.size() + " tags " + tags
                        + ": remove them one by one or force");
            store.updateEntries(entries -> new ArrayList<>(entries.stream().filter(e -> !e.manifest().digest().equals(s.manifestDigest())).toList()));
            for (String t : tags) {
                ImageReference r = ImageReference.parse(t);
                out.add("Untagged: " + r.familiarName() + ":" + r.tag());
            }
            out.add("Deleted: " + s.configDigest());
            collectGarbage();
        }
        return out;
    }

    @Override
    public List<String> prune(boolean all) {
        List<String> out = new ArrayList<>();
        try (var held = store.gcLock().exclusive()) {
            Map<Digest, Stored> images = images();
            Set<Digest> drop = new HashSet<>();
            for (Stored s : images.values()) {
                boolean named = s.entries().stream().anyMatch(e -> e.refName() != null);
                if (!named || all) drop.add(s.manifestDigest());
            }
            store.updateEntries(entries -> new ArrayList<>(entries.stream().filter(e -> !drop.contains(e.manifest().digest())).toList()));
            for (Digest d : drop) out.add("Deleted: " + images.get(d).configDigest());
            collectGarbage();
        }
        return out;
    }

    /** Deletes blobs and unpacked layers nothing in index.json reaches. Under the exclusive gc lock. */
    private void collectGarbage() {
        Set<Digest> keep = new HashSet<>();
        Set<String> keepChains = new HashSet<>();
        for (Store.Entry e : store.entries()) {
            keep.add(e.manifest().digest());
            String rd = e.manifest().annotations().get(REPO_DIGEST);
            if (rd != null) keep.add(Digest.parse(rd.substring(rd.indexOf('@') + 1)));   // the index it came from
            if (!store.has(e.manifest().digest())) continue;
            ImageManifest m = ImageManifest.parse(store.read(e.manifest().digest(), ImageManifest.MAX_BYTES), null, "manifest");
            if (m instanceof ImageManifest.Manifest man) {
                keep.add(man.config().digest());
                man.layers().forEach(l -> keep.add(l.digest()));
                if (store.has(man.config().digest())) {
                    var cfg = ImageConfigJson.parse(store.read(man.config().digest(), MAX_CONFIG), "config");
                    ImageConfigJson.chainIds(cfg.diffIds()).forEach(c -> keepChains.add(c.hex()));
                }
            }
        }
        for (Digest d : store.blobDigests()) if (!keep.contains(d)) store.deleteBlob(d);
        Path rootfs = store.root().resolve("rootfs");
        if (Files.isDirectory(rootfs)) try (var dirs = Files.list(rootfs)) {
            for (Path p : dirs.toList()) if (!keep.contains(new Digest("sha256", p.getFileName().toString().matches("[a-f0-9]{64}")
                    ? p.getFileName().toString() : "0".repeat(64)))) FsTree.deleteQuietly(p);
        } catch (IOException e) {
            throw new ImageException("cannot list " + rootfs + ": " + e, e);
        }
        try (var dirs = Files.list(store.layersDir())) {
            for (Path p : dirs.toList()) {
                String name = p.getFileName().toString();
                if (!keepChains.contains(name) && !name.equals(Store.LAYERS_FORMAT) && !name.equals(Store.LAYERS_OWNERS)) FsTree.deleteQuietly(p);
            }
        } catch (IOException e) {
            throw new ImageException("cannot list " + store.layersDir() + ": " + e, e);
        }
        store.cleanIngest();
    }

    // ---- push --------------------------------------------------------------------------------

    @Override
    public String push(String reference, ProgressListener listener) {
        return push(reference, listener, null);
    }

    @Override
    public String push(String reference, ProgressListener listener, RegistryCredentials credentials) {
        ImageReference ref = ImageReference.parse(reference);
        return push(registryClient(ref, credentials), ref, reference, listener);
    }

    private String push(RegistryClient rc, ImageReference ref, String reference, ProgressListener listener) {
        Stored s = resolve(reference);
        List<String> sources = s.entries().stream().map(e -> e.manifest().annotations().get(REPO_DIGEST))
                .filter(java.util.Objects::nonNull).map(rd -> rd.substring(0, rd.indexOf('@'))).toList();
        List<Descriptor> blobs = new ArrayList<>(s.manifest().layers());
        blobs.add(s.manifest().config());
        List<Future<?>> running = new ArrayList<>();
        for (Descriptor d : blobs) running.add(transfers.submit(() -> pushBlob(rc, ref, d, sources, listener)));
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new ImageException(e.getCause().toString(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageException("push of " + ref + " interrupted");
            }
        }
        Digest d = rc.putManifest(ref.registry(), ref.repository(), ref.reference(), s.manifest().mediaType(), s.manifest().raw());
        if (!d.equals(s.manifestDigest())) throw new DigestMismatchException("pushed manifest digest " + d + " differs from " + s.manifestDigest());
        // Remember where it now lives: a later push to the same registry can mount from here.
        Descriptor entry = new Descriptor(s.manifest().mediaType(), d, s.manifest().raw().length, null, null,
                Map.of(REPO_DIGEST, ref.name() + "@" + d));
        if (ref.tag() != null) point(ref.name() + ":" + ref.tag(), entry);
        listener.done(ref, d.toString());
        return d.toString();
    }

    private void pushBlob(RegistryClient rc, ImageReference ref, Descriptor d, List<String> sources, ProgressListener listener) {
        String digest = d.digest().toString();
        if (rc.blobExists(ref.registry(), ref.repository(), d.digest())) {
            listener.layerDone(digest, true);
            return;
        }
        for (String source : sources) {
            ImageReference from = ImageReference.parse(source + ":x");
            if (from.registry().equals(ref.registry()) && !from.repository().equals(ref.repository())
                    && rc.mount(ref.registry(), ref.repository(), d.digest(), from.repository())) {
                listener.layerDone(digest, true);
                return;
            }
        }
        listener.layerStarted(digest, d.size());
        store.verify(d.digest(), d.size());
        rc.upload(ref.registry(), ref.repository(), d, store.blobPath(d.digest()), done -> listener.layerProgress(digest, done, d.size()));
        listener.layerDone(digest, false);
    }

    // ---- unpacking ------------------------------------------------------------------------------

    @Override
    public void unpack(String image, Path target) {
        try (var held = store.gcLock().shared()) {
            Stored s = resolve(image);
            boolean created = !Files.exists(target);
            try {
                Files.createDirectories(target);
                try (var st = Files.list(target)) {
                    if (st.findAny().isPresent()) throw new ImageException("cannot unpack " + image + ": " + target + " is not empty");
                }
            } catch (IOException e) {
                throw new ImageException("cannot create " + target + ": " + e, e);
            }
            try {
                for (int i = 0; i < s.manifest().layers().size(); i++)
                    applyLayer(s.manifest().layers().get(i), s.config().diffIds().get(i), target, LayerUnpacker.Options.flatten(root));
            } catch (RuntimeException e) {
                // nothing partial: the target goes back to what it was (missing, or empty)
                if (created) FsTree.deleteQuietly(target);
                else emptyQuietly(target);
                throw e;
            }
        }
    }

    private static void emptyQuietly(Path dir) {
        try (var st = Files.list(dir)) {
            st.forEach(FsTree::deleteQuietly);
        } catch (IOException ignored) {
            // reported by the caller's exception
        }
    }

    private void applyLayer(Descriptor layer, Digest diffId, Path into, LayerUnpacker.Options opts) {
        try (InputStream blob = new VerifyingInputStream(store.open(layer.digest()), layer.digest(), layer.size(), "stored layer " + layer.digest())) {
            var result = LayerUnpacker.unpack(blob, MediaTypes.layerCompression(layer.mediaType()), into, opts);
            if (!result.diffId().equals(diffId))
                throw new DigestMismatchException("layer " + layer.digest() + " unpacks to " + result.diffId()
                        + " but the config says its diff id is " + diffId);
        } catch (IOException e) {
            throw new ImageException("cannot read layer " + layer.digest() + ": " + e, e);
        }
    }

    @Override
    public String commit(String parent, java.io.InputStream layer, io.jcontainer.image.CommitOptions options) {
        // no store lock held across it, as a build: the layer and the manifest are stored before
        // the image names them, and the commit's own check finds a layer a GC took meanwhile
        try {
            Files.createDirectories(store.root());
        } catch (IOException e) {
            throw new ImageException("cannot make the store directory " + store.root() + ": " + e, e);
        }
        return new io.jcontainer.oci.build.Commits(new io.jcontainer.oci.build.OciBuildStore(this), store.root()).commit(parent, layer, options);
    }

    @Override
    public Path rootfs(String image) {
        try (var held = store.gcLock().shared()) {
            Stored s = resolve(image);
            Path dir = store.root().resolve("rootfs").resolve(s.configDigest().hex());
            if (Files.isDirectory(dir)) return dir;
            Path tmp = store.root().resolve("rootfs").resolve(".tmp-" + s.configDigest().shortHex() + "-"
                    + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
            try {
                Files.createDirectories(tmp.getParent(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                unpack(image, tmp);
                // The root of the tree is what the container sees as "/": 0755, not a temp dir's mode.
                Files.setAttribute(tmp, "unix:mode", 0755, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                    // made by another JVM or thread meanwhile: identical
                }
                return dir;
            } catch (IOException e) {
                throw new ImageException("cannot flatten " + image + " into " + dir + ": " + e, e);
            } finally {
                FsTree.deleteQuietly(tmp);
            }
        }
    }

    @Override
    public List<Path> layers(String image) {
        try (var held = store.gcLock().shared()) {
            Stored s = resolve(image);
            return unpackLayers(s.manifest(), s.config(), image);
        }
    }

    /**
     * The layers/&lt;chain id&gt; directory of each of {@code layers} (stored blobs, bottom first,
     * with their diff ids), unpacking those not there yet: the lower directories a build's RUN step
     * runs over, before the layers belong to any image.
     */
    public List<Path> layerDirs(List<Descriptor> layers, List<Digest> diffIds) {
        try (var held = store.gcLock().shared()) {
            return unpackLayers(layers, diffIds, "the build's layers");
        }
    }

    /**
     * Takes {@code dir} (an overlay upper: whiteouts as 0/0 devices, opaque directories marked)
     * as the unpacked form of the layer on top of {@code diffIds} (bottom first, the last one
     * being the layer {@code dir} holds), so the next step's overlay needs no unpack of it.
     * Returns false, leaving {@code dir}, when another build published the same layer first.
     */
    public boolean adoptLayerDir(List<Digest> diffIds, Path dir) throws IOException {
        Path target = store.layersDir().resolve(ImageConfigJson.chainIds(diffIds).getLast().hex());
        if (Files.isDirectory(target)) return false;
        Files.createDirectories(store.layersDir());
        try {
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (java.nio.file.FileSystemException raced) {
            if (Files.isDirectory(target)) return false;
            throw raced;
        }
    }

    /** Every layer's layers/&lt;chain id&gt; directory, bottom first, unpacking (in parallel) those not there yet. */
    private List<Path> unpackLayers(ImageManifest.Manifest manifest, ImageConfigJson config, String image) {
        return unpackLayers(manifest.layers(), config.diffIds(), image);
    }

    private List<Path> unpackLayers(List<Descriptor> layers, List<Digest> diffIds, String image) {
        List<Digest> chains = ImageConfigJson.chainIds(diffIds);
        // an image run before: every layer is there, and a stat each is all it takes (no pool hand-off)
        List<Path> unpacked = new ArrayList<>(chains.size());
        for (Digest c : chains) {
            Path dir = store.layersDir().resolve(c.hex());
            if (!Files.isDirectory(dir)) break;
            unpacked.add(dir);
        }
        if (unpacked.size() == chains.size()) return unpacked;
        List<Future<Path>> running = new ArrayList<>();
        for (int i = 0; i < chains.size(); i++) {
            int n = i;
            running.add(unpackers.submit(() -> unpackedLayer(chains.get(n), layers.get(n), diffIds.get(n))));
        }
        List<Path> out = new ArrayList<>();
        RuntimeException first = null;
        for (Future<Path> f : running) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                if (first == null) first = e.getCause() instanceof RuntimeException re ? re : new ImageException(e.getCause().toString(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageException("unpacking " + image + " interrupted");
            }
        }
        if (first != null) throw first;
        return out;
    }

    @Override
    public io.jcontainer.Root.Overlay overlayRoot(String image, Path dir, boolean removeWithContainer) {
        List<Path> lowers = new ArrayList<>(layers(image));
        java.util.Collections.reverse(lowers);                  // overlayfs takes the topmost first
        Path upper = dir.resolve("upper");
        Path work = dir.resolve("work");
        try {
            Files.createDirectories(dir);
            Files.createDirectory(upper);
            Files.createDirectory(work);
            // the upper's root is the container's "/" once written to: 0755 like an image root
            Files.setAttribute(upper, "unix:mode", 0755, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(work, "unix:mode", 0700, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ImageException("cannot make the overlay upper and work directories in " + dir + ": " + e, e);
        }
        return new io.jcontainer.Root.Overlay(lowers, upper, work, false, removeWithContainer);
    }

    @Override
    public io.jcontainer.Root.Overlay overlayRoot(String image) {
        // Not made here: the runtime makes an owned upper at the start (OverlayUpper.prepare), so a
        // spec that is built but never started (a usage error after the image was resolved) leaves nothing.
        Path dir = store.root().resolve("containers").resolve(java.util.HexFormat.of().formatHex(randomBytes(16)));
        List<Path> lowers = new ArrayList<>(layers(image));
        java.util.Collections.reverse(lowers);
        return new io.jcontainer.Root.Overlay(lowers, dir.resolve("upper"), dir.resolve("work"), false, true);
    }

    /** One per JVM: a new SecureRandom per container seeds itself again. */
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private LayerUnpacker.Options perLayerOptions() {
        return LayerUnpacker.Options.perLayer(root);
    }

    /** layers/&lt;chain id&gt;: unpacked once, into a temporary directory renamed into place when complete. */
    private Path unpackedLayer(Digest chain, Descriptor layer, Digest diffId) {
        Path dir = store.layersDir().resolve(chain.hex());
        if (Files.isDirectory(dir)) return dir;
        Path tmp = store.layersDir().resolve(".tmp-" + chain.shortHex() + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
        try {
            Files.createDirectory(tmp);
            applyLayer(layer, diffId, tmp, perLayerOptions());
            publish(tmp, dir);
            return dir;
        } catch (IOException e) {
            throw new ImageException("cannot unpack layer " + layer.digest() + " into " + dir + ": " + e, e);
        } finally {
            FsTree.deleteQuietly(tmp);
        }
    }

    // ---- archives, credentials, registry listings -----------------------------------------------

    @Override
    public void save(List<String> images, Path archive, ArchiveFormat format) {
        List<Archives.Image> list = new ArrayList<>();
        for (String i : images) {
            Stored s = resolve(i);
            String tag = null;
            if (!i.matches("(sha256:)?[a-f0-9]{12,64}")) {
                ImageReference r = ImageReference.parse(i);
                if (r.tag() != null) tag = r.name() + ":" + r.tag();
            }
            list.add(new Archives.Image(s.manifestDigest(), s.manifest(), s.config().diffIds(), tag));
        }
        try (var held = store.gcLock().shared()) {
            Archives.save(store, list, archive, format);
        }
    }

    @Override
    public List<String> load(Path archive) {
        try (var held = store.gcLock().shared()) {
            List<String> loaded = new ArrayList<>();
            for (Archives.Loaded l : Archives.load(store, archive)) {
                Descriptor d = new Descriptor(l.manifest().mediaType(), l.manifest().digest(), l.manifest().raw().length);
                point(l.refName(), d);
                loaded.add(l.refName() != null ? l.refName() : l.manifest().digest().toString());
            }
            return loaded;
        }
    }

    @Override
    public void login(String registryName, String username, String password) {
        registryClient().checkLogin(registryName, username, password);
        dockerConfig.store(registryName, username, password);
    }

    @Override
    public void checkLogin(String registryName, String username, String password) {
        registryClient().checkLogin(registryName, username, password);
    }

    @Override
    public void storeCredentials(String registryName, String username, String password) {
        dockerConfig.store(registryName, username, password);
    }

    @Override
    public Map<String, RegistryCredentials> storedCredentials() {
        Map<String, RegistryCredentials> out = new java.util.TreeMap<>();
        for (String r : dockerConfig.registries()) {
            RegistryCredentials c = storedCredentials(r);
            if (c != null) out.put(r, c);
        }
        return out;
    }

    @Override
    public RegistryCredentials storedCredentials(String registry) {
        DockerConfig.Credentials c = dockerConfig.lookup(registry);
        return c == null ? null : new RegistryCredentials(c.username(), c.secret(), c.identityToken());
    }

    @Override
    public boolean logout(String registryName) {
        return dockerConfig.remove(registryName);
    }

    @Override
    public List<String> catalog(String registryName) {
        return registryClient().catalog(registryName);
    }

    @Override
    public List<String> tags(String repository) {
        ImageReference r = ImageReference.parse(repository);
        return registryClient().tags(r.registry(), r.repository());
    }

    @Override
    public void close() {
        transfers.shutdownNow();
        unpackers.shutdownNow();
        RegistryClient r;
        synchronized (this) {
            r = registry;
        }
        if (r != null) r.close();
    }

    /** Reads a daemon.json-like file for jcontainer's own use. */
    static final class RegistriesFile {
        static RegistryConfig read(Path file) {
            if (!Files.exists(file)) return RegistryConfig.DEFAULT;
            try {
                JsonNode n = Json.parse(Files.readAllBytes(file), file.toString());
                Set<String> insecure = new HashSet<>();
                n.path("insecure-registries").forEach(x -> insecure.add(x.asText()));
                List<String> mirrors = new ArrayList<>();
                n.path("registry-mirrors").forEach(x -> mirrors.add(x.asText()));
                return new RegistryConfig(insecure, mirrors);
            } catch (IOException e) {
                throw new ImageException("cannot read " + file + ": " + e, e);
            }
        }
    }
}
