package io.jcontainer.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** run's default network: JCONTAINER_DEFAULT_NETWORK against who runs it and whether pasta is there. */
class NetworkFlagsTest {
    @Test
    void loopbackOnlyUnlessAskedOrPublishing() {
        assertThat(NetworkFlags.defaultNetwork(null, false, true, true)).isNull();
        assertThat(NetworkFlags.defaultNetwork("none", false, true, true)).isNull();
        assertThat(NetworkFlags.defaultNetwork(null, true, false, false)).isEqualTo("bridge");
    }

    @Test
    void autoIsDockersDefault() {
        assertThat(NetworkFlags.defaultNetwork("auto", false, true, false)).isEqualTo("bridge");
        assertThat(NetworkFlags.defaultNetwork("auto", false, false, true)).isEqualTo("bridge"); // through pasta
        assertThat(NetworkFlags.defaultNetwork("auto", false, false, false)).isNull(); // said on stderr
        assertThat(NetworkFlags.defaultNetwork("bridge", false, false, false)).isEqualTo("bridge");
        assertThatThrownBy(() -> NetworkFlags.defaultNetwork("wifi", false, true, true)).hasMessageContaining("none, bridge or auto");
    }
}
