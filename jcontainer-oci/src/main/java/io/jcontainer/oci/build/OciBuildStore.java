package io.jcontainer.oci.build;

import io.jcontainer.image.RegistryCredentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.ImageException;
import io.jcontainer.image.ImageNotFoundException;
import io.jcontainer.image.Platform;
import io.jcontainer.image.ProgressListener;
import io.jcontainer.image.build.BuildException;
import io.jcontainer.oci.Descriptor;
import io.jcontainer.oci.Digest;
import io.jcontainer.oci.Json;
import io.jcontainer.oci.MediaTypes;
import io.jcontainer.oci.OciImages;
import io.jcontainer.oci.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The builder's view of jcontainer's image store ({@link OciImages}): base images resolved or
 * pulled, layers stored as uncompressed OCI layer blobs, the result committed as an OCI manifest
 * in index.json (untagged until {@link #tag}).
 */
public final class OciBuildStore implements BuildStore {
    private static final int MAX_CONFIG = 8 << 20;

    private final OciImages images;
    private final Store store;

    /** Credentials for base-image pulls by registry host (docker's X-Registry-Config); never stored. */
    private final Map<String, RegistryCredentials> credentials;

    public OciBuildStore(OciImages images) {
        this(images, Map.of());
    }

    public OciBuildStore(OciImages images, Map<String, RegistryCredentials> credentials) {
        this.images = images;
        this.store = images.store();
        this.credentials = Map.copyOf(credentials);
    }

    @Override
    public Image image(String reference, String platform, boolean pull) {
        try {
            // one read of the store when the image is there (each resolve reads every stored image)
            OciImages.Stored s = null;
            if (!pull) {
                try {
                    s = images.resolve(reference);
                } catch (ImageNotFoundException missing) {
                    // pulled below
                }
            }
            if (s == null) {
                RegistryCredentials c = credentials.get(io.jcontainer.image.ImageReference.parse(reference).registry());
                images.pull(reference, platform == null ? null : Platform.parse(platform), ProgressListener.NONE, c);
                s = images.resolve(reference);
            }
            JsonNode cfg = Json.parse(store.read(s.configDigest(), MAX_CONFIG), "config " + s.configDigest());
            if (!(cfg instanceof ObjectNode config)) throw new ImageException("config " + s.configDigest() + " is not a JSON object");
            List<Layer> layers = new ArrayList<>();
            for (int i = 0; i < s.manifest().layers().size(); i++) {
                Descriptor d = s.manifest().layers().get(i);
                layers.add(new Layer(d.digest().toString(), d.size(), d.mediaType(), s.config().diffIds().get(i).toString()));
            }
            return new Image(s.configDigest().toString(), config, layers);
        } catch (ImageNotFoundException e) {
            throw new BuildException("base image " + reference + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void unpack(Image image, Path target) {
        images.unpack(image.id(), target);
    }

    @Override
    public Layer putLayer(Path tar, String digest, long size) {
        Digest d = Digest.parse(digest);
        if (!store.has(d)) {
            try (InputStream in = Files.newInputStream(tar)) {
                store.ingest(d, size, in);
            } catch (IOException e) {
                throw new BuildException("cannot store layer " + digest + ": " + e.getMessage(), e);
            }
        }
        return new Layer(digest, size, MediaTypes.OCI_LAYER, digest);
    }

    @Override
    public boolean hasLayer(Layer layer) {
        return store.has(Digest.parse(layer.digest()));
    }

    @Override
    public InputStream openLayer(Layer layer) {
        InputStream in = store.open(Digest.parse(layer.digest()));
        if (MediaTypes.layerCompression(layer.mediaType()) == MediaTypes.Compression.ZSTD) {
            try {
                return new com.github.luben.zstd.ZstdInputStream(in);
            } catch (IOException e) {
                throw new BuildException("cannot read zstd layer " + layer.digest() + ": " + e.getMessage(), e);
            }
        }
        return in; // plain or gzip: LayerApplier recognises gzip
    }

    @Override
    public String commit(byte[] config, List<Layer> layers) {
        for (Layer l : layers)
            if (!hasLayer(l))
                throw new BuildException("layer " + l.digest() + " is no longer in the store (removed by a garbage collection while"
                        + " the build ran); build again");
        Digest cfg = store.put(config);
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        m.set("config", new Descriptor(MediaTypes.OCI_CONFIG, cfg, config.length).toJson());
        ArrayNode ls = m.putArray("layers");
        for (Layer l : layers) ls.add(new Descriptor(l.mediaType(), Digest.parse(l.digest()), l.size()).toJson());
        byte[] manifest = Json.bytes(m);
        Digest md = store.put(manifest);
        Descriptor desc = new Descriptor(MediaTypes.OCI_MANIFEST, md, manifest.length);
        store.updateEntries(entries -> {
            List<Store.Entry> out = new ArrayList<>(entries);
            if (out.stream().noneMatch(e -> e.manifest().digest().equals(md))) out.add(new Store.Entry(desc, null));
            return out;
        });
        return cfg.toString();
    }

    @Override
    public List<Path> layerDirs(List<Layer> layers) {
        List<Descriptor> ds = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        for (Layer l : layers) {
            ds.add(new Descriptor(l.mediaType(), Digest.parse(l.digest()), l.size()));
            diffIds.add(Digest.parse(l.diffId()));
        }
        return images.layerDirs(ds, diffIds);
    }

    @Override
    public boolean adoptLayerDir(List<Layer> layers, Path dir) {
        // an ordinary user's upper lacks the user.overlay marks its own mounts read: unpacked from the tar instead
        if (!"root".equals(System.getProperty("user.name"))) return false;
        List<Digest> diffIds = new ArrayList<>();
        for (Layer l : layers) diffIds.add(Digest.parse(l.diffId()));
        try {
            return images.adoptLayerDir(diffIds, dir);
        } catch (IOException e) {
            return false; // unpacked from the stored tar when next needed
        }
    }

    @Override
    public void tag(String imageId, String reference) {
        images.tag(imageId, reference);
    }
}
