package io.jcontainer.docker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docker's default network against who runs and what the host has; the setting overrides. */
class DefaultNetworkTest {
    @Test
    void autoIsTheBridgeWhereItCanBeMadeElseLoopbackOnlyWithAReason() {
        assertThat(DefaultNetwork.choose(null, true, true, false)).isEqualTo(new DefaultNetwork.Choice("bridge", null));
        assertThat(DefaultNetwork.choose(" ", false, false, true)).isEqualTo(new DefaultNetwork.Choice("bridge", null)); // through pasta
        assertThat(DefaultNetwork.choose("auto", true, false, true).network()).isNull(); // root without nftables: no bridge
        assertThat(DefaultNetwork.choose("auto", true, false, true).warning()).contains("nftables");
        assertThat(DefaultNetwork.choose("auto", false, true, false).network()).isNull();
        assertThat(DefaultNetwork.choose("auto", false, true, false).warning()).contains("pasta");
    }

    @Test
    void theSettingOverrides() {
        assertThat(DefaultNetwork.choose("none", true, true, true)).isEqualTo(new DefaultNetwork.Choice(null, null));
        assertThat(DefaultNetwork.choose("bridge", false, false, false)).isEqualTo(new DefaultNetwork.Choice("bridge", null));
        assertThatThrownBy(() -> DefaultNetwork.choose("wifi", true, true, true)).hasMessageContaining("none, bridge or auto");
    }
}
