package io.jcontainer.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** run's default network: JCONTAINER_DEFAULT_NETWORK against who runs it and whether pasta is there. */
class NetworkFlagsTest {
    /** Unset is docker's default, as issue 13 asks of the CLI (the library's stays loopback only). */
    @Test
    void unsetIsDockersDefault() {
        assertThat(NetworkFlags.defaultNetwork(null, false, true, false)).isEqualTo("bridge");
        assertThat(NetworkFlags.defaultNetwork(" ", false, false, true)).isEqualTo("bridge"); // through pasta
        assertThat(NetworkFlags.defaultNetwork(null, false, false, false)).isNull(); // said on stderr
    }

    @Test
    void noneIsLoopbackOnlyUnlessPublishing() {
        assertThat(NetworkFlags.defaultNetwork("none", false, true, true)).isNull();
        assertThat(NetworkFlags.defaultNetwork("none", true, false, false)).isEqualTo("bridge");
    }

    @Test
    void autoIsDockersDefault() {
        assertThat(NetworkFlags.defaultNetwork("auto", false, true, false)).isEqualTo("bridge");
        assertThat(NetworkFlags.defaultNetwork("auto", false, false, true)).isEqualTo("bridge"); // through pasta
        assertThat(NetworkFlags.defaultNetwork("auto", false, false, false)).isNull(); // said on stderr
        assertThat(NetworkFlags.defaultNetwork("bridge", false, false, false)).isEqualTo("bridge");
        assertThatThrownBy(() -> NetworkFlags.defaultNetwork("wifi", false, true, true)).hasMessageContaining("none, bridge or auto");
    }

    /** build's RUN steps: docker's default unless JCONTAINER_DEFAULT_NETWORK says none or bridge; --network as given. */
    @Test
    void buildsDefaultIsDockersUnlessTheSettingSaysOtherwise() {
        assertThat(BuildCommand.network(null, null)).isEqualTo("default");
        assertThat(BuildCommand.network(null, "auto")).isEqualTo("default");
        assertThat(BuildCommand.network(null, "none")).isEqualTo("none");
        assertThat(BuildCommand.network(null, "bridge")).isEqualTo("bridge");
        assertThat(BuildCommand.network("host", "none")).isEqualTo("host");
        assertThat(BuildCommand.network("none", null)).isEqualTo("none");
        assertThatThrownBy(() -> BuildCommand.network("container:web", null)).hasMessageContaining("cannot join a container's network");
        assertThatThrownBy(() -> BuildCommand.network(null, "wifi")).hasMessageContaining("none, bridge or auto");
    }
}
