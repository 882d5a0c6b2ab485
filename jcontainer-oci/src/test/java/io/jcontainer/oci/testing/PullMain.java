package io.jcontainer.oci.testing;

import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.ProgressListener;

import java.nio.file.Files;
import java.nio.file.Path;

/** A second JVM's pull: {@code PullMain STORAGE REFERENCE GO-FILE}; waits for GO-FILE, pulls, prints the id. */
public final class PullMain {
    public static void main(String[] args) throws Exception {
        Path storage = Path.of(args[0]);
        Path go = Path.of(args[2]);
        while (!Files.exists(go)) Thread.sleep(5);
        try (Images images = Images.open(ImagesOptions.defaults().withStorageRoot(storage).withDockerConfig(storage.resolve("none.json")))) {
            System.out.println(images.pull(args[1], ProgressListener.NONE).id());
            images.layers(args[1]);
        }
    }
}
