package io.jcontainer.linux.net;

import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bridge networks end to end: each scenario of {@link NetworkScenarios} runs in a JVM started
 * under {@code unshare --net}, so its bridges, veths, addresses and nftables rules exist only in
 * a network namespace of its own, gone when it exits — the machine's network is never changed.
 */
@RequiresRoot
class BridgeNetworkTest {
    @TempDir
    Path work;

    private String scenario(String... args) throws Exception {
        return scenario(List.of(), args);
    }

    /** @param jvm system properties of the scenario's JVM ({@code -Dname=value}) */
    private String scenario(List<String> jvm, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String outer = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        List<String> cmd = new ArrayList<>(List.of("unshare", "--net", "--", java, "--enable-native-access=ALL-UNNAMED", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8", 
                "-Djcontainer.test.outerNetns=" + outer));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NetworkScenarios.class.getName(), args[0], work.toString()));
        for (int i = 1; i < args.length; i++) cmd.add(args[i]);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) p.destroyForcibly();
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.println(text);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("PASSED " + args[0]), text);
        return text;
    }

    @Test
    void publishedPortsServeHttpdThroughLoopbackGatewayAndContainerAddress() throws Exception {
        scenario("ports");
    }

    @Test
    void containersOnAUserNetworkReachEachOtherByAddressAndNameAndOthersCannot() throws Exception {
        scenario("names");
    }

    /** Published port elements replaced start after start, never the table (the cost of -p: map elements through netlink). */
    @Test
    void aPortPublishedAgainRightAfterAnExitReachesTheNewContainerWithoutRenderingTheTable() throws Exception {
        scenario("republish");
    }

    /** Links of 65520 with default routes of 1500: big segments to the host, nothing over 1500 beyond it; docker's MTU option as docker has it. */
    @Test
    void largeMtuOnTheNetworkAndEthernetsOnTheWayOut() throws Exception {
        scenario("mtu");
    }

    @Test
    void internalNetworkHasNoWayOut() throws Exception {
        scenario("internal");
    }

    @Test
    void ipv6NetworksGiveContainersAddressesRoutesAndNamesOverIpv6() throws Exception {
        scenario("ipv6");
    }

    @Test
    void twoHundredCyclesLeaveNothingBehind() throws Exception {
        scenario("churn", "200");
    }

    /** Without endpoints made ready ahead (every start makes its own): names and isolation hold, and nothing is left. */
    @Test
    void withoutReadyEndpointsNamesAndIsolationHold() throws Exception {
        scenario(List.of("-Djcontainer.network.warm=0"), "names");
    }

    @Test
    void withoutReadyEndpointsFiftyCyclesLeaveNothingBehind() throws Exception {
        scenario(List.of("-Djcontainer.network.warm=0"), "churn", "50");
    }

    /** Ready endpoints carry nothing of one container over to the next, and are no one's peers. */
    @Test
    void readyEndpointsCarryNothingOverBetweenContainers() throws Exception {
        scenario("ready");
    }

    @Test
    void aKilledJvmsNetworkIsSweptByTheNextRuntime() throws Exception {
        scenario("sigkill");
    }
}
