package io.jcontainer.oci.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.build.BuildException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link BuildStore} for the executor's own tests: blobs as files in a directory, images and
 * tags in maps. The real one ({@code OciBuildStore}) is tested end to end with the image store.
 */
final class MemoryBuildStore implements BuildStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    final Path blobs;
    final Map<String, Image> images = new ConcurrentHashMap<>();
    final Map<String, String> tags = new ConcurrentHashMap<>();

    MemoryBuildStore(Path dir) throws IOException {
        this.blobs = Files.createDirectories(dir);
    }

    @Override
    public Image image(String reference, String platform, boolean pull) {
        String id = tags.getOrDefault(reference, reference);
        Image img = images.get(id);
        if (img == null) throw new BuildException("base image " + reference + ": not found");
        return img;
    }

    @Override
    public void unpack(Image image, Path target) {
        try {
            for (Layer l : image.layers())
                try (InputStream in = openLayer(l)) {
                    LayerApplier.apply(in, target);
                }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Layer putLayer(Path tar, String digest, long size) {
        try {
            Files.move(tar, blobs.resolve(digest.substring(7)), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Layer(digest, size, "application/vnd.oci.image.layer.v1.tar", digest);
    }

    @Override
    public boolean hasLayer(Layer layer) {
        return Files.exists(blobs.resolve(layer.digest().substring(7)));
    }

    @Override
    public InputStream openLayer(Layer layer) {
        try {
            return Files.newInputStream(blobs.resolve(layer.digest().substring(7)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String commit(byte[] config, List<Layer> layers) {
        String id = "sha256:" + java.util.HexFormat.of().formatHex(DockerfileBuilder.sha256().digest(config));
        try {
            images.put(id, new Image(id, (ObjectNode) JSON.readTree(config), layers));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return id;
    }

    @Override
    public void tag(String imageId, String reference) {
        tags.put(reference, imageId);
    }
}
