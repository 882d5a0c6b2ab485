package io.jcontainer.linux.net;

import io.jcontainer.linux.sys.RecordingSyscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Networks as data, without root: -p forms, subnets, the rendered table, /etc files, validation. */
class NetworkDataTest {
    @TempDir
    Path dir;

    @Test
    void dockerPortForms() {
        assertEquals(List.of(new PortMapping(null, 8080, 80, "tcp")), PortMapping.parse("8080:80"));
        assertEquals(List.of(new PortMapping("127.0.0.1", 8080, 80, "tcp")), PortMapping.parse("127.0.0.1:8080:80"));
        assertEquals(List.of(new PortMapping("127.0.0.1", 0, 80, "tcp")), PortMapping.parse("127.0.0.1::80"));
        assertEquals(List.of(new PortMapping(null, 0, 80, "tcp")), PortMapping.parse("80"));
        assertEquals(List.of(new PortMapping(null, 53, 53, "udp")), PortMapping.parse("53:53/udp"));
        assertEquals(List.of(new PortMapping(null, 8000, 9000, "tcp"), new PortMapping(null, 8001, 9001, "tcp")), PortMapping.parse("8000-8001:9000-9001"));
        assertEquals(2, PortMapping.parse("9000-9001").size());
        assertThrows(NetworkException.Invalid.class, () -> PortMapping.parse("8000-8002:9000-9001"));
        assertThrows(NetworkException.Invalid.class, () -> PortMapping.parse("70000:80"));
        assertThrows(NetworkException.Invalid.class, () -> PortMapping.parse("80/sctp"));
        assertThrows(NetworkException.Invalid.class, () -> PortMapping.parse("localhost:80:80"));
        assertEquals("0.0.0.0:8080->80/tcp", PortMapping.parse("8080:80").getFirst().toString());
        // docker's bracketed IPv6 host address, kept in RFC 5952 text
        assertEquals(List.of(new PortMapping("fd00:7::1", 8086, 80, "tcp")), PortMapping.parse("[fd00:7:0::1]:8086:80"));
        assertEquals(List.of(new PortMapping("::1", 0, 80, "tcp")), PortMapping.parse("[::1]::80"));
        assertEquals("fd00:7::1", new PortMapping("FD00:7:0:0::1", 1, 1, "tcp").hostIp());
        assertEquals("[::1]:8080->80/tcp", PortMapping.parse("[::1]:8080:80").getFirst().toString());
        assertThrows(NetworkException.Invalid.class, () -> PortMapping.parse("[::1]:80"));
        assertThrows(NetworkException.Invalid.class, () -> PortMapping.parse("[::zz]:80:80"));
    }

    @Test
    void subnets() {
        Subnet s = Subnet.parse("10.88.0.0/16");
        assertTrue(s.contains(Subnet.parseAddress("10.88.255.1")));
        assertFalse(s.contains(Subnet.parseAddress("10.89.0.1")));
        assertTrue(s.overlaps(Subnet.parse("10.88.4.0/24")));
        assertTrue(s.overlaps(Subnet.parse("10.0.0.0/8")));
        assertFalse(s.overlaps(Subnet.parse("10.89.0.0/16")));
        assertEquals("10.88.0.1", Subnet.text(s.host(1)));
        assertFalse(s.isHost(Subnet.parseAddress("10.88.255.255")));
        var e = assertThrows(NetworkException.Invalid.class, () -> Subnet.parse("10.88.0.1/16"));
        assertTrue(e.getMessage().contains("10.88.0.0/16"), e.getMessage());
        assertThrows(NetworkException.Invalid.class, () -> Subnet.parse("10.88.0.0"));
        assertThrows(NetworkException.Invalid.class, () -> Subnet.parse("10.888.0.0/16"));
    }

    @Test
    void ipv6Subnets() {
        Subnet6 s = Subnet6.parse("fd00:1::/64");
        assertEquals("fd00:1::/64", s.toString());
        assertEquals("fd00:1::1", Subnet6.text(s.host(1)));
        assertTrue(s.contains(Subnet6.parseAddress("fd00:1::ffff:1")));
        assertFalse(s.contains(Subnet6.parseAddress("fd00:2::1")));
        assertTrue(s.overlaps(Subnet6.parse("fd00::/16")));
        assertFalse(s.overlaps(Subnet6.parse("fd00:1:0:1::/64")));
        assertFalse(s.isHost(s.base()), "the subnet-router anycast address");
        // RFC 5952 text: the longest zero run compressed, a single zero group not
        assertEquals("2001:db8::1:0:0:1", Subnet6.canonical("2001:0db8:0:0:1:0:0:1"));
        assertEquals("2001:db8:0:1:1:1:1:1", Subnet6.canonical("2001:db8:0:1:1:1:1:1"));
        assertEquals("::1", Subnet6.canonical("0:0:0:0:0:0:0:1"));
        assertEquals("fd00::", Subnet6.canonical("fd00:0:0:0:0:0:0:0"));
        var bits = assertThrows(NetworkException.Invalid.class, () -> Subnet6.parse("fd00:1::5/64"));
        assertTrue(bits.getMessage().contains("fd00:1::/64"), bits.getMessage());
        assertThrows(NetworkException.Invalid.class, () -> Subnet6.parse("fd00:1::"));
        assertThrows(NetworkException.Invalid.class, () -> Subnet6.parse("fd00::zz/64"));
        assertThrows(NetworkException.Invalid.class, () -> Subnet6.parse("10.0.0.0/64"));
        assertThrows(NetworkException.Invalid.class, () -> Subnet6.parse("::ffff:10.0.0.0/120"), "an IPv4-mapped address");
        assertThrows(NetworkException.Invalid.class, () -> Subnet6.parse("fd00::/8"));
    }

    @Test
    void renderedTableHasOnlyJcontainersTableAndOneMapElementPerPublishedPort() {
        var open = new NetworkConfig("front", "id1", "bridge", "jc-aaaa", "10.91.0.0/24", "10.91.0.1", false, 1500, "now");
        var sealed = new NetworkConfig("sealed", "id2", "bridge", "jc-bbbb", "10.92.0.0/24", "10.92.0.1", true, 1500, "now");
        var ep = new Endpoint("c1", "front", "10.91.0.2", "jcv1", "web", List.of(), List.of(new PortMapping(null, 8080, 80, "tcp"),
                new PortMapping("127.0.0.1", 5353, 53, "udp")), 1, 1);
        String s = NftRuleset.render(List.of(open, sealed), List.of(ep));
        assertTrue(s.startsWith("add table ip jcontainer\ndelete table ip jcontainer\nadd table ip6 jcontainer\ndelete table ip6 jcontainer\ntable ip jcontainer {"), s);
        assertFalse(s.replace("table ip jcontainer", "").replace("table ip6 jcontainer", "").contains("table "), "no other table: " + s);
        assertFalse(s.contains("table ip6 jcontainer {"), "no IPv6 chains without an IPv6 network: " + s);
        var six = new NetworkConfig("six", "id3", "bridge", "jc-cccc", "10.93.0.0/24", "10.93.0.1", false, 1500, "now", null, null, null,
                true, "fd00:1::/64", "fd00:1::1");
        String with6 = NftRuleset.render(List.of(open, six), List.of());
        // -p [ADDR]:8086:80: an element of dnat6_ip, to the container's IPv6 address; nothing in the IPv4 table
        var ep6 = new Endpoint("c6", "six", "10.93.0.2", "jcv6", "web6", List.of(), List.of(new PortMapping("fd00:1::1", 8086, 80, "tcp")), 1, 1,
                "02:42:0a:5d:00:02", "fd00:1::2");
        assertEquals("add element ip6 jcontainer dnat6_ip { fd00:1::1 . tcp . 8086 : fd00:1::2 . 80 }\n", NftRuleset.text(NftRuleset.elements(true, ep6, java.util.Set.of())));
        assertEquals("delete element ip6 jcontainer dnat6_ip { fd00:1::1 . tcp . 8086 }\n", NftRuleset.text(NftRuleset.elements(false, ep6, java.util.Set.of())));
        // -p [::1]:…: the monitor's userland proxy serves it (the kernel cannot forward from the IPv6 loopback): no element
        var loop6 = new Endpoint("c7", "open", "10.91.0.7", "jcv7", "web7", List.of(), List.of(new PortMapping("::1", 8087, 80, "tcp")), 1, 1);
        assertTrue(loop6.ports().getFirst().userland());
        assertTrue(NftRuleset.elements(true, loop6, java.util.Set.of()).isEmpty());
        assertTrue(NftRuleset.elements(false, loop6, java.util.Set.of()).isEmpty());
        assertTrue(with6.contains("dnat ip6 to ip6 daddr . meta l4proto . th dport map @dnat6_ip")
                && with6.contains("map dnat6_ip {\n    type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service"), with6);
        assertTrue(with6.contains("table ip6 jcontainer {") && with6.contains("iifname \"jc-cccc\" oifname \"jc*\" oifname != \"jc-cccc\" drop"), with6);
        assertTrue(s.contains("fib daddr type local dnat ip to meta l4proto . th dport map @dnat_any"), s);
        assertTrue(s.contains("add element ip jcontainer dnat_any { tcp . 8080 : 10.91.0.2 . 80 }"), s);
        assertTrue(s.contains("add element ip jcontainer dnat_ip { 127.0.0.1 . udp . 5353 : 10.91.0.2 . 53 }"), s);
        assertEquals("delete element ip jcontainer dnat_any { tcp . 8080 }\ndelete element ip jcontainer dnat_ip { 127.0.0.1 . udp . 5353 }\n",
                NftRuleset.text(NftRuleset.elements(false, ep, java.util.Set.of())));
        assertTrue(s.contains("ip saddr 10.91.0.0/24 oifname != \"jc-aaaa\" masquerade"), s);
        assertFalse(s.contains("10.92.0.0/24 oifname"), "no masquerade for an internal network: " + s);
        assertTrue(s.contains("iifname \"jc-bbbb\" oifname != \"jc-bbbb\" drop"), s);
        assertEquals("add table ip jcontainer\ndelete table ip jcontainer\nadd table ip6 jcontainer\ndelete table ip6 jcontainer\n", NftRuleset.render(List.of(), List.of()));
    }

    @Test
    void hostsAndResolvConf() throws Exception {
        var self = new Endpoint("aaaaaaaaaaaaaaaa", "front", "10.91.0.2", "jcv1", "web", List.of("api"), List.of(), 1, 1);
        var peer = new Endpoint("bbbbbbbbbbbbbbbb", "front", "10.91.0.3", "jcv2", "db", List.of(), List.of(), 1, 1);
        String hosts = EtcFiles.hosts(self, List.of(self, peer), true, List.of("gw.example:10.0.0.9"));
        assertTrue(hosts.contains("10.91.0.2\tweb api aaaaaaaaaaaa\n"), hosts);
        assertTrue(hosts.contains("10.91.0.3\tdb bbbbbbbbbbbb\n"), hosts);
        assertTrue(hosts.contains("10.0.0.9\tgw.example\n"), hosts);
        assertFalse(EtcFiles.hosts(self, List.of(self, peer), false, List.of()).contains("db"), "the default bridge has no names");
        Path rc = dir.resolve("resolv.conf");
        Files.writeString(rc, "nameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0\n");
        String r = EtcFiles.resolvConf(rc, List.of());
        assertFalse(r.contains("127.0.0.53"), r);
        assertTrue(r.contains("nameserver 192.0.2.53\n") && r.contains("search corp.example") && r.contains("options edns0"), r);
        assertTrue(EtcFiles.resolvConf(rc, List.of("198.51.100.1")).contains("nameserver 198.51.100.1\n"));
    }

    /** A fake kernel with one host route (10.0.0.0/8 on link 2) and a recording nft. */
    private Networks networks(List<String> scripts) {
        var sys = new RecordingSyscalls();
        sys.netlinkAnswer = req -> {
            int type = ByteBuffer.wrap(req).order(ByteOrder.nativeOrder()).getShort(4);
            List<byte[]> out = new ArrayList<>();
            if (type == Rtnetlink.RTM_GETROUTE) {
                ByteBuffer r = ByteBuffer.allocate(12 + 8 + 8).order(ByteOrder.nativeOrder());
                r.put((byte) 2).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 254).put((byte) 2).put((byte) 253).put((byte) 1).putInt(0);
                r.putShort((short) 8).putShort((short) 1).put(new byte[]{10, 0, 0, 0});
                r.putShort((short) 8).putShort((short) 4).putInt(2);
                out.add(RecordingSyscalls.reply(req, Rtnetlink.RTM_NEWROUTE, 2, r.array()));
            }
            if ((ByteBuffer.wrap(req).order(ByteOrder.nativeOrder()).getShort(6) & 0x300) == 0x300)
                out.add(RecordingSyscalls.reply(req, 3, 2, new byte[4]));
            else out.add(RecordingSyscalls.ack(req, 0));
            return out;
        };
        return new Networks(sys, dir.resolve("networks"), script -> {
            scripts.add(script);
            return "";
        });
    }

    @Test
    void createValidatesNamesSubnetsAndHostRoutes() {
        List<String> scripts = new ArrayList<>();
        Networks n = networks(scripts);
        var created = n.create("front", "172.20.0.0/16", null, false);
        assertEquals("172.20.0.1", created.gateway());
        assertTrue(created.bridge().startsWith("jc-") && created.bridge().length() <= 15, created.bridge());
        var overlap = assertThrows(NetworkException.Conflict.class, () -> n.create("other", "172.20.5.0/24", null, false));
        assertTrue(overlap.getMessage().contains("front"), overlap.getMessage());
        var route = assertThrows(NetworkException.Conflict.class, () -> n.create("lan", "10.5.0.0/16", null, false));
        assertTrue(route.getMessage().contains("route to 10.0.0.0/8"), route.getMessage());
        assertThrows(NetworkException.Conflict.class, () -> n.create("front", null, null, false));
        var bad = assertThrows(NetworkException.Invalid.class, () -> n.create("../front", null, null, false));
        assertTrue(bad.getMessage().contains("invalid network name"), bad.getMessage());
        assertEquals("project_front.1", n.create("project_front.1", "172.23.0.0/16", null, false).name()); // docker-compose's names
        n.remove("project_front.1");
        assertThrows(NetworkException.Invalid.class, () -> n.create("x", "172.21.0.0/16", "172.22.0.1", false));
        // automatic subnets skip what is taken: 172.17 is free here
        assertEquals("172.17.0.0/16", n.create("auto", null, null, true).subnet());
        assertEquals(List.of("auto", "front"), n.list().stream().map(NetworkConfig::name).toList());
        assertThrows(NetworkException.NotFound.class, () -> n.remove("nowhere"));
        assertThrows(NetworkException.NotFound.class, () -> n.inspect("nowhere"));
        n.remove("auto");
        assertEquals(List.of("front"), n.prune());
        assertTrue(n.list().isEmpty());
        // no bridge was ever made: no table either
        assertEquals("add table ip jcontainer\ndelete table ip jcontainer\nadd table ip6 jcontainer\ndelete table ip6 jcontainer\n", scripts.getLast());
        assertNull(null);
    }
}
