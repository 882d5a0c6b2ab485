package io.jcontainer.linux.net;

import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each rtnetlink operation against the real kernel, inside network namespaces this test makes
 * (a {@link NetnsThread} each): the machine's own network is never touched, and everything goes
 * away with the namespaces.
 */
@RequiresRoot
class RtnetlinkTest {
    private static final NativeSyscalls SYS = NativeSyscalls.INSTANCE;

    @Test
    void bridgeVethAddressesRoutesAndMoveIntoAnotherNamespace() throws Exception {
        try (NetnsThread host = NetnsThread.createNew(SYS, "test-netns-host");
             NetnsThread box = NetnsThread.createNew(SYS, "test-netns-box")) {
            InetAddress gw = InetAddress.getByName("10.77.0.1"), ip = InetAddress.getByName("10.77.0.2");
            host.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.createBridge("tbr0", 1400);
                    nl.setUp("tbr0", true);
                    nl.addAddress("tbr0", gw, 24);
                    nl.createVeth("tveth0", "tpeer0", 1400, -1);
                    nl.setMaster("tveth0", "tbr0");
                    nl.setUp("tveth0", true);
                    nl.moveToNetns("tpeer0", box.netnsFd());
                    var br = nl.link("tbr0");
                    assertEquals("bridge", br.kind());
                    assertEquals(1400, br.mtu());
                    assertTrue(br.up());
                    var veth = nl.link("tveth0");
                    assertEquals("veth", veth.kind());
                    assertEquals(br.index(), veth.master());
                    assertFalse(nl.links().stream().anyMatch(l -> l.name().equals("tpeer0")), "moved away");
                    assertTrue(nl.addresses().stream().anyMatch(a -> a.address().equals(gw) && a.prefixLength() == 24 && a.linkIndex() == br.index()));
                    // the connected route of the bridge's subnet
                    assertTrue(nl.routes().stream().anyMatch(r -> !r.isDefault() && r.prefixLength() == 24 && r.outputLink() == br.index()));
                    nl.setMtu("tveth0", 1300);
                    assertEquals(1300, nl.link("tveth0").mtu());
                }
            });
            box.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.rename("tpeer0", "eth0");
                    nl.setUp("eth0", true);
                    nl.setUp("lo", true);
                    nl.addAddress("eth0", ip, 24);
                    nl.addRoute(null, 0, gw, "eth0");
                    var eth0 = nl.link("eth0");
                    assertEquals(1400, eth0.mtu());
                    assertTrue(nl.routes().stream().anyMatch(r -> r.isDefault() && gw.equals(r.gateway()) && r.outputLink() == eth0.index()));
                    var dup = assertThrows(NetlinkException.Exists.class, () -> nl.addAddress("eth0", ip, 24));
                    assertTrue(dup.getMessage().contains("eth0") && dup.getMessage().contains("10.77.0.2"), dup.getMessage());
                }
            });
            host.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    var again = assertThrows(NetlinkException.Exists.class, () -> nl.createBridge("tbr0", 0));
                    assertEquals("create bridge", again.operation());
                    nl.deleteLink("tveth0"); // takes eth0 in the other namespace with it
                    var gone = assertThrows(NetlinkException.NotFound.class, () -> nl.deleteLink("tveth0"));
                    assertTrue(gone.getMessage().contains("tveth0") && gone.getMessage().contains("ENODEV"), gone.getMessage());
                    nl.deleteLink("tbr0");
                    assertEquals(1, nl.links().size(), "only lo is left");
                }
            });
            box.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    assertFalse(nl.links().stream().anyMatch(l -> l.name().equals("eth0")));
                }
            });
        }
    }

    @Test
    void vethPeerCreatedDirectlyInTheTargetNamespace() {
        try (NetnsThread host = NetnsThread.createNew(SYS, "test-netns-host");
             NetnsThread box = NetnsThread.createNew(SYS, "test-netns-box")) {
            host.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.createVeth("tv1", "tv1p", 0, box.netnsFd());
                    assertFalse(nl.links().stream().anyMatch(l -> l.name().equals("tv1p")));
                }
            });
            box.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    assertEquals("veth", nl.link("tv1p").kind());
                }
            });
        }
    }

    /**
     * A start's two requests: the pair made up on the bridge with its peer in a fresh namespace,
     * then the peer's side in one batch — through a socket opened inside that namespace, used
     * from this thread (no hop); a failing message in a batch is named.
     */
    @Test
    void vethOnABridgeAndTheContainerSideInOneBatchThroughAFreshNamespacesSocket() throws Exception {
        InetAddress gw = InetAddress.getByName("10.78.0.1"), ip = InetAddress.getByName("10.78.0.2");
        byte[] mac = {0x02, 0x42, 10, 78, 0, 2};
        try (NetnsThread host = NetnsThread.createNew(SYS, "test-netns-host");
             NetnsThread.Fresh box = NetnsThread.createFresh(SYS)) {
            assertEquals(List.of("lo"), box.rtnetlink().links().stream().map(Rtnetlink.Link::name).toList(), "a new, empty namespace");
            host.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.createBridge("tbr1", 1400);
                    nl.setUp("tbr1", true);
                    nl.addAddress("tbr1", gw, 24);
                    int br = nl.getLink("tbr1").index();
                    nl.createVethOnBridge("tv2", "eth0", 1400, box.netnsFd(), mac, br);
                    assertTrue(nl.getLink("tv2").address().matches("\\p{XDigit}{2}(:\\p{XDigit}{2}){5}"));
                    var v = nl.getLink("tv2");
                    assertTrue(v.up(), "the host end is up");
                    assertEquals(br, v.master(), "and on the bridge");
                    assertThrows(NetlinkException.NotFound.class, () -> nl.getLink("eth0"));
                }
            });
            Rtnetlink in = box.rtnetlink();
            var eth0 = in.getLink("eth0");
            assertFalse(eth0.up());
            assertEquals("02:42:0a:4e:00:02", eth0.address(), "made with the MAC given");
            in.configureEndpoint("eth0", eth0.index(), null, ip, 24, gw);
            assertTrue(in.getLink("eth0").up());
            assertTrue(in.getLink("lo").up());
            assertTrue(in.addresses().stream().anyMatch(a -> a.address().equals(ip) && a.linkIndex() == eth0.index()));
            assertTrue(in.routes().stream().anyMatch(r -> r.isDefault() && gw.equals(r.gateway()) && r.outputLink() == eth0.index() && r.mtu() == 0),
                    "a default route with the link's MTU: " + in.routes());
            var again = assertThrows(NetlinkException.Exists.class, () -> in.configureEndpoint("eth0", eth0.index(), null, ip, 24, null));
            assertTrue(again.getMessage().contains("10.78.0.2") && again.getMessage().contains("eth0"), again.getMessage());
            host.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.deleteLink("tbr1");
                }
            });
        }
    }

    /** A route MTU in the same batch (RTA_METRICS): the default route carries it, the subnet's route does not. */
    @Test
    void theDefaultRouteCarriesTheMtuGivenAndTheSubnetRouteTheLinks() throws Exception {
        InetAddress gw = InetAddress.getByName("10.78.2.1"), ip = InetAddress.getByName("10.78.2.2");
        try (NetnsThread host = NetnsThread.createNew(SYS, "test-netns-host");
             NetnsThread.Fresh box = NetnsThread.createFresh(SYS)) {
            host.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.createBridge("tbr3", 65520);
                    nl.setUp("tbr3", true);
                    nl.addAddress("tbr3", gw, 24);
                    nl.createVethOnBridge("tv3", "eth0", 65520, box.netnsFd(), null, nl.getLink("tbr3").index());
                }
            });
            Rtnetlink in = box.rtnetlink();
            var eth0 = in.getLink("eth0");
            assertEquals(65520, eth0.mtu());
            in.configureEndpoint("eth0", eth0.index(), null, ip, 24, gw, null, 0, null, 1500);
            var routes = in.routes();
            assertTrue(routes.stream().anyMatch(r -> r.isDefault() && gw.equals(r.gateway()) && r.mtu() == 1500), "default via the gateway, MTU 1500: " + routes);
            assertTrue(routes.stream().anyMatch(r -> !r.isDefault() && r.prefixLength() == 24 && r.mtu() == 0), "the subnet's route, the link's MTU: " + routes);
            host.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.deleteLink("tbr3");
                }
            });
        }
    }

    /** On an IPv6 network the same batch adds the IPv6 address and the IPv6 default route too. */
    @Test
    void theBatchAddsTheIpv6AddressAndDefaultRoute() throws Exception {
        InetAddress gw = InetAddress.getByName("10.79.0.1"), ip = InetAddress.getByName("10.79.0.2");
        InetAddress gw6 = InetAddress.ofLiteral("fd00:79::1"), ip6 = InetAddress.ofLiteral("fd00:79::2");
        try (NetnsThread host = NetnsThread.createNew(SYS, "test-netns-host6");
             NetnsThread.Fresh box = NetnsThread.createFresh(SYS)) {
            host.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.createBridge("tbr6", 0);
                    nl.setUp("tbr6", true);
                    nl.addAddress("tbr6", gw, 24);
                    nl.addAddress("tbr6", gw6, 64);
                    assertTrue(nl.addresses().stream().anyMatch(a -> a.address().equals(gw6) && a.prefixLength() == 64), "the bridge's IPv6 address");
                    nl.createVethOnBridge("tv6", "eth0", 0, box.netnsFd(), null, nl.getLink("tbr6").index());
                }
            });
            Rtnetlink in = box.rtnetlink();
            var eth0 = in.getLink("eth0");
            in.configureEndpoint("eth0", eth0.index(), null, ip, 24, gw, ip6, 64, gw6);
            assertTrue(in.addresses().stream().anyMatch(a -> a.address().equals(ip6) && a.prefixLength() == 64 && a.linkIndex() == eth0.index()));
            assertTrue(in.routes().stream().anyMatch(r -> r.isDefault() && gw6.equals(r.gateway()) && r.outputLink() == eth0.index()), "IPv6 default route");
            assertTrue(in.routes().stream().anyMatch(r -> r.isDefault() && gw.equals(r.gateway())), "and the IPv4 one");
            host.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.deleteLink("tbr6");
                }
            });
        }
    }

    /** A namespace made ahead takes the MAC it is given when it is configured (the kernel's random one until then). */
    @Test
    void theBatchSetsTheHardwareAddress() throws Exception {
        byte[] mac = {0x02, 0x42, 10, 79, 0, 2};
        try (NetnsThread host = NetnsThread.createNew(SYS, "test-netns-host");
             NetnsThread.Fresh box = NetnsThread.createFresh(SYS)) {
            host.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.createBridge("tbr2", 0);
                    nl.setUp("tbr2", true);
                    nl.createVethOnBridge("tv3", "eth0", 0, box.netnsFd(), null, nl.getLink("tbr2").index());
                }
            });
            int index = box.rtnetlink().getLink("eth0").index();
            box.rtnetlink().configureEndpoint("eth0", index, mac, InetAddress.getByName("10.79.0.2"), 24, null);
            assertEquals("02:42:0a:4f:00:02", box.rtnetlink().getLink("eth0").address());
            host.run(() -> {
                try (var nl = new Rtnetlink(SYS)) {
                    nl.deleteLink("tbr2");
                }
            });
        }
    }
}
