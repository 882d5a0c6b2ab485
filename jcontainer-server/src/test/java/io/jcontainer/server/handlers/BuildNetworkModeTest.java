package io.jcontainer.server.handlers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /build's networkmode: as sent; docker's "default" (or nothing) is the service's default for containers. */
class BuildNetworkModeTest {
    @Test
    void defaultFollowsTheServicesSettingAndTheRestIsAsSent() {
        assertThat(BuildHandler.buildNetwork(null, null)).isEqualTo("none");
        assertThat(BuildHandler.buildNetwork("default", null)).isEqualTo("none");
        assertThat(BuildHandler.buildNetwork("default", "bridge")).isEqualTo("bridge");
        assertThat(BuildHandler.buildNetwork("host", null)).isEqualTo("host");
        assertThat(BuildHandler.buildNetwork("", "bridge")).isEqualTo("bridge");
        assertThat(BuildHandler.buildNetwork("none", "bridge")).isEqualTo("none");
        assertThat(BuildHandler.buildNetwork("front", null)).isEqualTo("front");
    }
}
