package io.jcontainer.linux.net;

import io.jcontainer.linux.sys.RecordingSyscalls;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bytes rtnetlink requests are made of, against a recording fake (no root, no kernel). */
class RtnetlinkEncodingTest {
    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void createBridgeIsNewlinkWithCreateExclAndNestedKind() {
        var sys = new RecordingSyscalls();
        try (var nl = new Rtnetlink(sys)) {
            nl.createBridge("jcbr0", 1500);
        }
        byte[] m = sys.netlinkSent.get(0);
        ByteBuffer b = le(m);
        assertEquals(m.length, b.getInt(0));
        assertEquals(16, b.getShort(4)); // RTM_NEWLINK
        assertEquals(1 | 4 | 0x400 | 0x200, b.getShort(6)); // REQUEST|ACK|CREATE|EXCL
        // ifinfomsg: 16 zero bytes, then IFLA_IFNAME "jcbr0\0" (len 10, padded to 12), IFLA_MTU, IFLA_LINKINFO{IFLA_INFO_KIND "bridge"}
        assertEquals("0a0003006a63627230000000", HexFormat.of().formatHex(m, 32, 44));
        assertEquals("08000400dc050000", HexFormat.of().formatHex(m, 44, 52));
        assertEquals("100012000b0001006272696467650000", HexFormat.of().formatHex(m, 52, 68));
        assertEquals(68, m.length);
        assertTrue(sys.openFds().isEmpty(), "the socket is closed");
    }

    @Test
    void vethPeerCarriesItsOwnIfinfomsgAndNamespaceFd() {
        var sys = new RecordingSyscalls();
        try (var nl = new Rtnetlink(sys)) {
            nl.createVeth("vethA", "eth0", 0, 42);
        }
        byte[] m = sys.netlinkSent.get(0);
        String hex = HexFormat.of().formatHex(m);
        // LINKINFO { KIND "veth", DATA (nested) { PEER { ifinfomsg, IFNAME "eth0", NET_NS_FD 42 } } }
        assertTrue(hex.contains("0900010076657468000000"), hex);
        // PEER's ifinfomsg (16 zero bytes), IFNAME "eth0" (9, padded), NET_NS_FD (28) = 42
        assertTrue(hex.contains("00000000000000000000000000000000" + "090003006574683000000000" + "08001c002a000000"), hex);
        assertEquals(m.length, le(m).getInt(0));
    }

    @Test
    void addressCarriesLocalAddressAndBroadcast() throws Exception {
        var sys = new RecordingSyscalls();
        // the link lookup is a dump: one link "eth0" (index 7), then DONE; everything else is acked
        sys.netlinkAnswer = req -> le(req).getShort(4) == 18
                ? List.of(RecordingSyscalls.reply(req, 16, 2, linkBody(7, "eth0")), RecordingSyscalls.reply(req, 3, 2, new byte[4]))
                : List.of(RecordingSyscalls.ack(req, 0));
        try (var nl = new Rtnetlink(sys)) {
            nl.addAddress("eth0", InetAddress.getByName("10.88.0.2"), 16);
        }
        byte[] m = sys.netlinkSent.get(1);
        ByteBuffer b = le(m);
        assertEquals(20, b.getShort(4)); // RTM_NEWADDR
        assertEquals(2, m[16]); // AF_INET
        assertEquals(16, m[17]); // prefix
        assertEquals(7, b.getInt(20)); // index
        String hex = HexFormat.of().formatHex(m);
        assertTrue(hex.contains("080002000a580002"), "IFA_LOCAL " + hex);
        assertTrue(hex.contains("080004000a58ffff"), "IFA_BROADCAST " + hex);
    }

    @Test
    void unknownLinkIsNotFoundNamingIt() {
        var sys = new RecordingSyscalls();
        sys.netlinkAnswer = req -> List.of(RecordingSyscalls.reply(req, 3, 2, new byte[4]));
        try (var nl = new Rtnetlink(sys)) {
            var e = assertThrows(NetlinkException.NotFound.class, () -> nl.setMaster("veth1", "nobr0"));
            assertTrue(e.getMessage().contains("nobr0"), e.getMessage());
        }
    }

    @Test
    void errorBecomesTypedExceptionNamingOperationLinkAndErrno() {
        var sys = new RecordingSyscalls();
        sys.netlinkAnswer = req -> List.of(RecordingSyscalls.ack(req, -17));
        try (var nl = new Rtnetlink(sys)) {
            var e = assertThrows(NetlinkException.Exists.class, () -> nl.createBridge("jcbr0", 0));
            assertEquals("create bridge", e.operation());
            assertEquals("jcbr0", e.subject());
            assertEquals(17, e.errno());
            assertTrue(e.getMessage().contains("EEXIST"), e.getMessage());
        }
    }

    @Test
    void extendedAckMessageIsQuoted() {
        // nlmsgerr with NLM_F_ACK_TLVS|NLM_F_CAPPED and NLMSGERR_ATTR_MSG "Unknown device type"
        byte[] text = "Unknown device type\0".getBytes();
        int tlv = 4 + text.length, tlvPadded = (tlv + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(16 + 4 + 16 + tlvPadded).order(ByteOrder.nativeOrder());
        b.putInt(b.capacity()).putShort((short) 2).putShort((short) 0x300).putInt(5).putInt(0);
        b.putInt(-95).putInt(32).putShort((short) 16).putShort((short) 0).putInt(5).putInt(0);
        b.putShort((short) tlv).putShort((short) 1).put(text);
        var e = assertThrows(NetlinkException.class, () -> NetlinkSocket.checkError(b, 0, b.capacity(), "create link", "x0"));
        assertTrue(e.getMessage().endsWith("Unknown device type"), e.getMessage());
        assertEquals(95, e.errno());
    }

    @Test
    void routeParsingKeepsMainTableUnicastOnly() {
        ByteBuffer b = ByteBuffer.allocate(28 + 8 + 8).order(ByteOrder.nativeOrder());
        b.putInt(b.capacity()).putShort((short) 24).putShort((short) 2).putInt(1).putInt(0);
        b.put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 254).put((byte) 3).put((byte) 0).put((byte) 1).putInt(0);
        b.putShort((short) 8).putShort((short) 5).put(new byte[]{10, 0, 0, 1});
        b.putShort((short) 8).putShort((short) 4).putInt(3);
        var r = Rtnetlink.parseRoute(b);
        assertTrue(r.isDefault());
        assertEquals("10.0.0.1", r.gateway().getHostAddress());
        assertEquals(3, r.outputLink());
        b.put(20, (byte) 255); // the local table
        assertEquals(null, Rtnetlink.parseRoute(b));
        assertArrayEquals(new byte[]{10, 88, (byte) 255, (byte) 255}, Rtnetlink.broadcast(new byte[]{10, 88, 0, 2}, 16));
    }

    /** ifinfomsg of link {@code index} (up) and its IFLA_IFNAME. */
    static byte[] linkBody(int index, String name) {
        byte[] n = (name + "\0").getBytes();
        int attr = 4 + n.length, padded = (attr + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(16 + padded).order(ByteOrder.nativeOrder());
        b.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(index).putInt(1).putInt(0);
        b.putShort((short) attr).putShort((short) 3).put(n);
        return b.array();
    }
}
