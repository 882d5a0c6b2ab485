package io.jcontainer.cli;

import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Networks through ./jcontainer: each scenario of {@link NetworkCliScenarios} runs in a JVM
 * started under {@code unshare --net}, and every CLI it runs inherits that private network
 * namespace — bridges, veths, addresses and nftables rules exist only there and go with it;
 * the machine's network is never changed (rule 9).
 */
@RequiresRoot
class NetworkCliIT {
    @TempDir
    Path work;

    private void scenario(String name) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String outer = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        List<String> cmd = new ArrayList<>(List.of("unshare", "--net", "--", java, "--enable-native-access=ALL-UNNAMED",
                "-Djcontainer.test.outerNetns=" + outer, "-cp", System.getProperty("java.class.path"),
                NetworkCliScenarios.class.getName(), name, work.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JCONTAINER_STORAGE", work.resolve("store").toString()); // images of the scenario, not the host's
        Process p = pb.start();
        var out = new java.util.concurrent.CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            try {
                out.complete(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                out.complete(e.toString());
            }
        });
        if (!p.waitFor(600, TimeUnit.SECONDS)) p.destroyForcibly();
        String text = out.get(30, TimeUnit.SECONDS);
        System.out.println(text);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("PASSED " + name);
    }

    @Test
    void networkVerbsCreateListInspectRemoveAndPrune() throws Exception {
        scenario("verbs");
    }

    @Test
    void containersOnAUserNetworkReachEachOtherByNameAndAliasAndOthersCannot() throws Exception {
        scenario("names");
    }

    @Test
    void publishedPortsServeOverLoopbackAndPortPrintsThem() throws Exception {
        scenario("ports");
    }

    @Test
    void fixedAddressAndMacAreSeenInsideAndContainerModeSharesTheNamespace() throws Exception {
        scenario("addresses");
    }

    @Test
    void ipv6NetworksShowTheirAddressesAndContainersReachEachOtherOverIpv6() throws Exception {
        scenario("ipv6");
    }

    /** -p [::1]:…: the monitor's userland proxy (the kernel cannot forward from IPv6 loopback). */
    @Test
    void theIpv6LoopbackIsPublishedThroughTheMonitorsUserlandProxy() throws Exception {
        scenario("proxy6");
    }

    @Test
    void buildRunStepsGetTheDefaultBridgeAndHonourNetworkNoneAndHost() throws Exception {
        scenario("build");
    }

    @Test
    void anExitedOrRemovedContainerGivesItsEndpointBack() throws Exception {
        scenario("release");
    }
}
