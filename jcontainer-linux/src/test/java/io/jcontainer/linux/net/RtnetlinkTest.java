package io.jcontainer.linux.net;

import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

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
}
