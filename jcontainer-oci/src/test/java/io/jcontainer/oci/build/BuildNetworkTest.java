package io.jcontainer.oci.build;

import io.jcontainer.image.build.BuildListener;
import io.jcontainer.image.build.BuildOptions;
import io.jcontainer.image.build.DockerfileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which network each RUN step is given (a recording step runner; the real one is driven by
 * NetworkCliIT's build scenario): the library's default is loopback only, the build's network
 * is the default for every step, {@code RUN --network=none} always narrows it and
 * {@code RUN --network=host} needs the entitlement.
 */
class BuildNetworkTest {
    @TempDir
    Path tmp;

    final List<String> networks = Collections.synchronizedList(new ArrayList<>());

    final StepRunner recording = (step, output) -> {
        networks.add(step.network());
        return 0;
    };

    private List<String> build(String dockerfile, BuildOptions options) throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        var builder = new DockerfileBuilder(new MemoryBuildStore(tmp.resolve("blobs")), recording, new BuildCache(tmp.resolve("cache")));
        networks.clear();
        try (BuildContext c = BuildContext.directory(ctx)) {
            builder.build(c, options.withNoCache(true), BuildListener.NONE);
        }
        return List.copyOf(networks);
    }

    static final String STEPS = "FROM scratch\nRUN [\"/a\"]\nRUN --network=default [\"/b\"]\nRUN --network=none [\"/c\"]\n";

    @Test
    void theLibraryDefaultIsLoopbackOnlyAndExplicit() throws Exception {
        assertThat(BuildOptions.defaults().network()).isEqualTo(BuildOptions.NETWORK_NONE);
        assertThat(build(STEPS, BuildOptions.defaults())).containsExactly("none", "none", "none");
    }

    @Test
    void theBuildsNetworkIsEveryStepsDefaultAndRunNetworkNoneNarrowsIt() throws Exception {
        assertThat(build(STEPS, BuildOptions.defaults().withNetwork("bridge"))).containsExactly("bridge", "bridge", "none");
        assertThat(build(STEPS, BuildOptions.defaults().withNetwork("host"))).containsExactly("host", "host", "none");
        // docker's default: the bridge as root (the runtime gives an ordinary user pasta for it)
        List<String> docker = build(STEPS, BuildOptions.defaults().withNetwork(BuildOptions.NETWORK_DEFAULT));
        boolean root = DockerfileBuilder.processIds()[0] == 0;
        String expected = root || DockerfileBuilder.networkHelperInstalled() ? "bridge" : "none";
        assertThat(docker).containsExactly(expected, expected, "none");
    }

    @Test
    void runNetworkHostNeedsTheEntitlement() throws Exception {
        String host = "FROM scratch\nRUN --network=host [\"/h\"]\n";
        assertThatThrownBy(() -> build(host, BuildOptions.defaults().withNetwork(BuildOptions.NETWORK_DEFAULT)))
                .isInstanceOf(DockerfileException.class)
                .hasMessageContaining("Dockerfile:2")
                .hasMessageContaining("RUN --network=host needs the network.host entitlement");
        assertThat(networks).isEmpty();
        assertThat(build(host, BuildOptions.defaults().withAllowHostNetwork(true))).containsExactly("host");
        assertThat(build(host, BuildOptions.defaults().withNetwork("host"))).containsExactly("host");
    }

    /** A rebuild without the entitlement is not answered by the memo of one that had it (it must refuse RUN --network=host). */
    @Test
    void theEntitlementIsPartOfTheWholeBuildMemo() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("memo"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nRUN --network=host [\"/h\"]\n");
        try (BuildContext c = BuildContext.directory(ctx)) {
            assertThat(BuildMemo.key(c, BuildOptions.defaults())).isNotEqualTo(BuildMemo.key(c, BuildOptions.defaults().withAllowHostNetwork(true)));
        }
    }

    @Test
    void aContainersNetworkIsRefused() {
        assertThatThrownBy(() -> BuildOptions.defaults().withNetwork("container:web"))
                .hasMessageContaining("build network container:web");
    }
}
