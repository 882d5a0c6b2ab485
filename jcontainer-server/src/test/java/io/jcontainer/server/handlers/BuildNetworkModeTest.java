package io.jcontainer.server.handlers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /build's networkmode: as sent; docker's "default" (or nothing) follows the service's JCONTAINER_DEFAULT_NETWORK, as its containers' default does. */
class BuildNetworkModeTest {
    @Test
    void defaultFollowsTheServicesSettingAndTheRestIsAsSent() {
        assertThat(BuildHandler.buildNetwork(null, null)).isEqualTo("none");
        assertThat(BuildHandler.buildNetwork("default", null)).isEqualTo("none");
        assertThat(BuildHandler.buildNetwork("", "auto")).isEqualTo("default");
        assertThat(BuildHandler.buildNetwork("default", "bridge")).isEqualTo("bridge");
        assertThat(BuildHandler.buildNetwork("host", null)).isEqualTo("host");
        assertThat(BuildHandler.buildNetwork("none", "auto")).isEqualTo("none");
        assertThat(BuildHandler.buildNetwork("front", null)).isEqualTo("front");
    }
}
