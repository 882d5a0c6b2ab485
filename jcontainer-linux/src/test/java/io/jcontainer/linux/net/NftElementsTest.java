package io.jcontainer.linux.net;

import io.jcontainer.linux.sys.RecordingSyscalls;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Published ports as nf_tables map elements: the key and data bytes of each map (as nft itself
 * sends them: every part of a concatenation padded to 4 bytes, ports in network order), the
 * NEWSETELEM/DELSETELEM message around them, and the batch's answers against a fake kernel.
 */
class NftElementsTest {
    private static final Endpoint EP = new Endpoint("c1", "front", "10.91.0.2", "jcv1", "web", List.of(), List.of(
            new PortMapping(null, 18083, 80, "tcp"), new PortMapping("127.0.0.1", 5353, 53, "udp")), 1, 1, null, "fd00:1::2");

    @Test
    void keysAndDataAreWhatNftSends() {
        List<NftRuleset.Element> add = NftRuleset.elements(true, EP, Set.of());
        assertEquals(3, add.size(), "any address (v4 and v6, dual stack) and one address: " + add);
        NftRuleset.Element any = add.get(0), any6 = add.get(1), one = add.get(2);
        assertEquals("dnat_any", any.map());
        assertArrayEquals(HexFormat.of().parseHex("06000000" + "46a30000"), any.key(), "tcp . 18083");
        assertArrayEquals(HexFormat.of().parseHex("0a5b0002" + "00500000"), any.data(), "10.91.0.2 . 80");
        assertEquals("add element ip jcontainer dnat_any { tcp . 18083 : 10.91.0.2 . 80 }\n", any.text());
        assertTrue(any6.ip6() && any6.map().equals("dnat6_any"));
        assertArrayEquals(HexFormat.of().parseHex("fd000001000000000000000000000002" + "00500000"), any6.data());
        assertEquals("dnat_ip", one.map());
        assertArrayEquals(HexFormat.of().parseHex("7f000001" + "11000000" + "14e90000"), one.key(), "127.0.0.1 . udp . 5353");
        List<NftRuleset.Element> del = NftRuleset.elements(false, EP, Set.of(NftRuleset.key(EP.ports().get(1))));
        assertEquals(2, del.size(), "the skipped port's element is left out");
        assertNull(del.get(0).data());
        assertEquals(any.id(), del.get(0).id(), "an add and a delete of one element are one element");
        assertEquals("delete element ip jcontainer dnat_any { tcp . 18083 }\n", del.get(0).text());
    }

    @Test
    void messageCarriesTableSetAndOneElement() {
        NftRuleset.Element any = NftRuleset.elements(true, EP, Set.of()).get(0);
        byte[] m = NftElements.message(any, 7).bytes();
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertEquals(m.length, b.getInt(0));
        assertEquals(10 << 8 | 12, b.getShort(4), "NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSETELEM");
        assertEquals(1 | 4 | 0x400, b.getShort(6), "request, ack, create (an identical element is no error)");
        assertEquals(7, b.getInt(8));
        assertEquals(2, b.get(16), "nfgen_family AF_INET");
        ByteArrayOutputStream attrs = new ByteArrayOutputStream();
        attr(attrs, 1, "jcontainer\0".getBytes(StandardCharsets.US_ASCII));
        attr(attrs, 2, "dnat_any\0".getBytes(StandardCharsets.US_ASCII));
        byte[] key = nest(1, attrOf(1, any.key())), data = nest(2, attrOf(1, any.data()));
        byte[] elem = nest(1, concat(key, data));
        attrs.writeBytes(nest(3, elem));
        byte[] expected = attrs.toByteArray();
        byte[] actual = java.util.Arrays.copyOfRange(m, 20, m.length);
        assertArrayEquals(expected, actual, HexFormat.of().formatHex(actual));
        byte[] del = NftElements.message(NftRuleset.elements(false, EP, Set.of()).get(0), 8).bytes();
        assertEquals(10 << 8 | 14, ByteBuffer.wrap(del).order(ByteOrder.nativeOrder()).getShort(4), "NFT_MSG_DELSETELEM");
        assertEquals(1 | 4, ByteBuffer.wrap(del).order(ByteOrder.nativeOrder()).getShort(6));
    }

    @Test
    void oneBatchAndTheKernelsRefusalBecomesANetworkException() {
        var sys = new RecordingSyscalls();
        List<byte[]> sent = new ArrayList<>();
        sys.netlinkAnswer = req -> {
            sent.add(req);
            // answer every NLM_F_ACK message of the batch; refuse the first element (ENOENT: not there to delete)
            List<byte[]> out = new ArrayList<>();
            ByteBuffer b = ByteBuffer.wrap(req).order(ByteOrder.nativeOrder());
            boolean first = true;
            for (int p = 0; p + 16 <= req.length; ) {
                int len = b.getInt(p);
                if ((b.getShort(p + 6) & 4) != 0) {
                    out.add(RecordingSyscalls.ack(java.util.Arrays.copyOfRange(req, p, p + len), first ? -2 : 0));
                    first = false;
                }
                p += (len + 3) & ~3;
            }
            return out;
        };
        Nftables nft = Nftables.lazy(sys);
        var e = assertThrows(NetworkException.class, () -> nft.changeElements(NftRuleset.elements(false, EP, Set.of())));
        assertTrue(e.getMessage().contains("delete element ip jcontainer dnat_any { tcp . 18083 }") && e.getMessage().contains("ENOENT"), e.getMessage());
        assertEquals(1, sent.size(), "begin, three elements and end in one sendmsg");
        ByteBuffer b = ByteBuffer.wrap(sent.getFirst()).order(ByteOrder.nativeOrder());
        assertEquals(0x10, b.getShort(4), "NFNL_MSG_BATCH_BEGIN first");
        assertEquals(10, b.get(19), "res_id NFNL_SUBSYS_NFTABLES, network order");
    }

    private static void attr(ByteArrayOutputStream out, int type, byte[] value) {
        out.writeBytes(attrOf(type, value));
    }

    private static byte[] attrOf(int type, byte[] value) {
        int padded = (value.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(4 + padded).order(ByteOrder.nativeOrder());
        b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
        return b.array();
    }

    private static byte[] nest(int type, byte[] inner) {
        ByteBuffer b = ByteBuffer.allocate(4 + inner.length).order(ByteOrder.nativeOrder());
        b.putShort((short) (4 + inner.length)).putShort((short) (0x8000 | type)).put(inner);
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
