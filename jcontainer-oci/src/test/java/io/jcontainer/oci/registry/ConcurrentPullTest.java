package io.jcontainer.oci.registry;

import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.ProgressListener;
import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.PullMain;
import io.jcontainer.oci.testing.TestImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two JVMs pull the same image into one store at the same moment: both succeed, one copy is stored. */
class ConcurrentPullTest {

    @Test
    void twoJvmsPullTheSameImage(@TempDir Path tmp) throws Exception {
        try (LocalRegistry registry = LocalRegistry.start()) {
            var image = TestImage.busybox("concurrent");
            String ref = registry.host() + "/concurrent/busybox:1";
            try (Images src = Images.open(ImagesOptions.defaults().withStorageRoot(tmp.resolve("src")).withDockerConfig(tmp.resolve("c.json")))) {
                src.load(image.writeArchive(tmp.resolve("i.tar"), ref));
                src.push(ref, ProgressListener.NONE);
            }
            Path store = tmp.resolve("shared");
            Path go = tmp.resolve("go");
            String java = ProcessHandle.current().info().command().orElse("java");
            List<Process> jvms = new ArrayList<>();
            for (int i = 0; i < 2; i++)
                jvms.add(new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",  "-cp", System.getProperty("java.class.path"),
                        PullMain.class.getName(), store.toString(), ref, go.toString())
                        .redirectErrorStream(true).redirectOutput(tmp.resolve("jvm" + i + ".log").toFile()).start());
            Files.createFile(go);
            for (int i = 0; i < 2; i++) {
                Process p = jvms.get(i);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    jvms.forEach(Process::destroyForcibly);
                    throw new AssertionError("JVM " + i + " did not finish");
                }
                String log = Files.readString(tmp.resolve("jvm" + i + ".log"));
                assertThat(p.exitValue()).as(log).isZero();
                assertThat(log).contains(image.config.digest().toString());
            }
            try (var blobs = Files.list(store.resolve("blobs/sha256"))) {
                assertThat(blobs.map(p -> p.getFileName().toString()).sorted().toList()).containsExactlyInAnyOrderElementsOf(
                        List.of(image.layers.get(0).digest().hex(), image.layers.get(1).digest().hex(), image.layers.get(2).digest().hex(),
                                image.config.digest().hex(), image.manifest.digest().hex()));
            }
            try (var ingest = Files.list(store.resolve("ingest"))) {
                assertThat(ingest.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock")).toList()).isEmpty();
            }
            try (var layers = Files.list(store.resolve("layers"))) {
                assertThat(layers.map(p -> p.getFileName().toString()).filter(n -> !n.equals(io.jcontainer.oci.store.Store.LAYERS_FORMAT)).toList())
                        .hasSize(3).noneMatch(n -> n.startsWith(".tmp"));
            }
            try (Images images = Images.open(ImagesOptions.defaults().withStorageRoot(store).withDockerConfig(tmp.resolve("c.json")))) {
                assertThat(images.list()).hasSize(1);
                assertThat(images.inspect(ref).repoTags()).containsExactly(ref);
            }
        }
    }
}
