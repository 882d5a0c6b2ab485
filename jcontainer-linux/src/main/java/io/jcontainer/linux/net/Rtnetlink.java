package io.jcontainer.linux.net;

import io.jcontainer.linux.sys.Syscalls;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;

import static io.jcontainer.linux.net.NlMessage.NLM_F_ACK;
import static io.jcontainer.linux.net.NlMessage.NLM_F_CREATE;
import static io.jcontainer.linux.net.NlMessage.NLM_F_DUMP;
import static io.jcontainer.linux.net.NlMessage.NLM_F_EXCL;
import static io.jcontainer.linux.net.NlMessage.NLM_F_REQUEST;

/**
 * Links, addresses and routes through rtnetlink (rtnetlink(7)) — what {@code ip link/addr/route}
 * do, without the program. The socket belongs to the network namespace of the thread that
 * opened this; to act inside another namespace, open it on a {@link NetnsThread} there.
 * One owner at a time (not thread-safe).
 */
public final class Rtnetlink implements AutoCloseable {
    static final int NETLINK_ROUTE = 0;
    static final int RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19,
            RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22, RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;
    static final int IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_MASTER = 10, IFLA_LINKINFO = 18, IFLA_NET_NS_FD = 28;
    static final int IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, VETH_INFO_PEER = 1;
    static final int IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_BROADCAST = 4;
    static final int RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PREFSRC = 7, RTA_METRICS = 8, RTA_TABLE = 15;
    /** In RTA_METRICS: the route's MTU (what {@code ip route ... mtu N} sets). */
    static final int RTAX_MTU = 2;
    static final int AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10;
    static final int IFF_UP = 1;
    /** ifa_flags: no duplicate address detection, so an IPv6 address is usable at once (not "tentative" for 1-2 s). */
    static final int IFA_F_NODAD = 0x02;
    static final int RT_TABLE_MAIN = 254, RTPROT_BOOT = 3, RT_SCOPE_UNIVERSE = 0, RTN_UNICAST = 1;

    /** A network interface as the kernel lists it. */
    /** {@code address}: the hardware address as {@code 02:42:…}, or null when it has none. */
    public record Link(int index, String name, String kind, int mtu, boolean up, int master, String address) {
    }

    /** An address on a link. */
    public record Address(int linkIndex, InetAddress address, int prefixLength) {
    }

    /** A route of the main table; {@code destination} null is the default route; {@code mtu} 0: the link's. */
    public record Route(InetAddress destination, int prefixLength, InetAddress gateway, int outputLink, int table, int mtu) {
        public boolean isDefault() {
            return destination == null && prefixLength == 0;
        }
    }

    private final NetlinkSocket sock;

    /** Opens a route socket in the calling thread's network namespace. */
    public Rtnetlink(Syscalls sys) {
        this.sock = new NetlinkSocket(sys, NETLINK_ROUTE);
    }

    /**
     * A route socket another process opened in its network namespace and handed over (an
     * ordinary user's rootless network: {@link RootlessNetns}); closed with this.
     */
    public static Rtnetlink adopt(Syscalls sys, int fd) {
        return new Rtnetlink(NetlinkSocket.adopt(sys, fd));
    }

    private Rtnetlink(NetlinkSocket sock) {
        this.sock = sock;
    }

    private NlMessage msg(int type, int flags) {
        return new NlMessage(type, NLM_F_REQUEST | NLM_F_ACK | flags, sock.nextSeq());
    }

    /** struct ifinfomsg { u8 family, pad; u16 type; s32 index; u32 flags, change } */
    private static NlMessage ifinfo(NlMessage m, int index, int flags, int change) {
        return m.int8(AF_UNSPEC).int8(0).int16(0).int32(index).int32(flags).int32(change);
    }

    // ---- links ----

    /** A bridge (ip link add NAME type bridge mtu MTU), down. */
    public void createBridge(String name, int mtu) {
        NlMessage m = ifinfo(msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL), 0, 0, 0).attrString(IFLA_IFNAME, checkName(name));
        if (mtu > 0) m.attrU32(IFLA_MTU, mtu);
        m.begin(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "bridge").end();
        sock.request(m, "create bridge", name);
    }

    /**
     * A veth pair, both ends down: {@code name} here and {@code peer} created directly in the
     * network namespace {@code peerNetnsFd} (or here with -1), so it never appears in this one.
     */
    public void createVeth(String name, String peer, int mtu, int peerNetnsFd) {
        createVeth(name, peer, mtu, peerNetnsFd, null);
    }

    /** As above, the peer with the hardware address {@code peerMac} (6 bytes), or the kernel's random one when null. */
    public void createVeth(String name, String peer, int mtu, int peerNetnsFd, byte[] peerMac) {
        NlMessage m = ifinfo(msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL), 0, 0, 0).attrString(IFLA_IFNAME, checkName(name));
        if (mtu > 0) m.attrU32(IFLA_MTU, mtu);
        m.begin(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "veth").begin(IFLA_INFO_DATA).begin(VETH_INFO_PEER);
        ifinfo(m, 0, 0, 0).attrString(IFLA_IFNAME, checkName(peer));
        if (mtu > 0) m.attrU32(IFLA_MTU, mtu);
        if (peerMac != null) m.attr(IFLA_ADDRESS, peerMac);
        if (peerNetnsFd >= 0) m.attrU32(IFLA_NET_NS_FD, peerNetnsFd);
        m.end().end().end();
        sock.request(m, "create veth", name + "/" + peer);
    }

    /**
     * A container's veth pair in one request: {@code name} here, up and a port of the bridge with
     * index {@code masterIndex}; {@code peer} made directly in the namespace {@code peerNetnsFd}
     * with the hardware address {@code peerMac}, down. The kernel applies a new link's flags and
     * master as part of creating it, so no set-master or set-up round trips follow (the peer
     * cannot be made up there: veth opens it before the pair is joined, ENOTCONN).
     */
    public void createVethOnBridge(String name, String peer, int mtu, int peerNetnsFd, byte[] peerMac, int masterIndex) {
        NlMessage m = ifinfo(msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL), 0, IFF_UP, IFF_UP).attrString(IFLA_IFNAME, checkName(name));
        if (mtu > 0) m.attrU32(IFLA_MTU, mtu);
        m.attrU32(IFLA_MASTER, masterIndex);
        m.begin(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "veth").begin(IFLA_INFO_DATA).begin(VETH_INFO_PEER);
        ifinfo(m, 0, 0, 0).attrString(IFLA_IFNAME, checkName(peer));
        if (mtu > 0) m.attrU32(IFLA_MTU, mtu);
        if (peerMac != null) m.attr(IFLA_ADDRESS, peerMac);
        m.attrU32(IFLA_NET_NS_FD, peerNetnsFd);
        m.end().end().end();
        sock.request(m, "create veth", name + "/" + peer);
    }

    /**
     * A container's side of a network in one round trip: {@code lo} and the link with index
     * {@code index} up (with the hardware address {@code mac}, unless null), {@code address/prefixLength} on it, and when {@code gateway} is not null
     * the default route through it.
     */
    public void configureEndpoint(String link, int index, byte[] mac, InetAddress address, int prefixLength, InetAddress gateway) {
        configureEndpoint(link, index, mac, address, prefixLength, gateway, null, 0, null);
    }

    /**
     * As above, and on a network with IPv6 also {@code address6/prefixLength6} (without duplicate
     * address detection: the start does not wait for it) and, unless {@code gateway6} is null,
     * the IPv6 default route through it — still one round trip.
     */
    public void configureEndpoint(String link, int index, byte[] mac, InetAddress address, int prefixLength, InetAddress gateway,
                                  InetAddress address6, int prefixLength6, InetAddress gateway6) {
        configureEndpoint(link, index, mac, address, prefixLength, gateway, address6, prefixLength6, gateway6, 0);
    }

    /**
     * As above, with the default routes' MTU {@code routeMtu} (0: the link's): a link with a
     * large MTU whose way out is narrower (the host's uplink) sends big segments on its subnet
     * and no more than {@code routeMtu} beyond it.
     */
    public void configureEndpoint(String link, int index, byte[] mac, InetAddress address, int prefixLength, InetAddress gateway,
                                  InetAddress address6, int prefixLength6, InetAddress gateway6, int routeMtu) {
        List<NlMessage> msgs = new java.util.ArrayList<>();
        List<String> ops = new java.util.ArrayList<>();
        msgs.add(ifinfo(msg(RTM_SETLINK, 0), 0, IFF_UP, IFF_UP).attrString(IFLA_IFNAME, "lo"));
        ops.add("set link up lo");
        NlMessage up = ifinfo(msg(RTM_SETLINK, 0), index, IFF_UP, IFF_UP);
        if (mac != null) up.attr(IFLA_ADDRESS, mac);
        msgs.add(up);
        ops.add("set link up");
        msgs.add(addressMessage(index, address, prefixLength));
        ops.add("add address " + address.getHostAddress() + "/" + prefixLength);
        String mtu = routeMtu > 0 ? " mtu " + routeMtu : "";
        if (gateway != null) {
            msgs.add(routeMessage(null, 0, gateway, index, routeMtu));
            ops.add("add route default via " + gateway.getHostAddress() + mtu);
        }
        if (address6 != null) {
            msgs.add(addressMessage(index, address6, prefixLength6));
            ops.add("add address " + address6.getHostAddress() + "/" + prefixLength6);
            if (gateway6 != null) {
                msgs.add(routeMessage(null, 0, gateway6, index, routeMtu));
                ops.add("add route default via " + gateway6.getHostAddress() + mtu);
            }
        }
        sock.requestAll(msgs, ops, link);
    }

    /** One link by name (RTM_GETLINK without a dump); {@link NetlinkException.NotFound} if there is none. */
    public Link getLink(String name) {
        Link l = sock.get(ifinfo(msg(RTM_GETLINK, 0), 0, 0, 0).attrString(IFLA_IFNAME, checkName(name)), RTM_NEWLINK,
                Rtnetlink::parseLink, "get link", name);
        if (l == null) throw new NetlinkException.NotFound("get link", name, 19 /* ENODEV */, null);
        return l;
    }

    /** Deletes a link (a veth's peer goes with it; a bridge's ports are released). */
    public void deleteLink(String name) {
        sock.request(ifinfo(msg(RTM_DELLINK, 0), 0, 0, 0).attrString(IFLA_IFNAME, checkName(name)), "delete link", name);
    }

    /** Moves a link into the network namespace {@code netnsFd} (ip link set NAME netns FD). */
    public void moveToNetns(String name, int netnsFd) {
        sock.request(ifinfo(msg(RTM_SETLINK, 0), 0, 0, 0).attrString(IFLA_IFNAME, checkName(name)).attrU32(IFLA_NET_NS_FD, netnsFd),
                "move link to netns", name);
    }

    public void setUp(String name, boolean up) {
        sock.request(ifinfo(msg(RTM_SETLINK, 0), 0, up ? IFF_UP : 0, IFF_UP).attrString(IFLA_IFNAME, checkName(name)),
                up ? "set link up" : "set link down", name);
    }

    public void setMtu(String name, int mtu) {
        sock.request(ifinfo(msg(RTM_SETLINK, 0), 0, 0, 0).attrString(IFLA_IFNAME, checkName(name)).attrU32(IFLA_MTU, mtu),
                "set mtu " + mtu, name);
    }

    /** Makes {@code name} a port of the bridge {@code master}. */
    public void setMaster(String name, String master) {
        int bridge = linkIndex(master);
        sock.request(ifinfo(msg(RTM_SETLINK, 0), 0, 0, 0).attrString(IFLA_IFNAME, checkName(name)).attrU32(IFLA_MASTER, bridge),
                "set master " + master, name);
    }

    /** Renames a link (down links only, as the kernel demands). */
    public void rename(String name, String newName) {
        int index = linkIndex(name);
        sock.request(ifinfo(msg(RTM_SETLINK, 0), index, 0, 0).attrString(IFLA_IFNAME, checkName(newName)), "rename link to " + newName, name);
    }

    /** The link's index; {@link NetlinkException.NotFound} if there is none of that name. */
    public int linkIndex(String name) {
        return link(name).index();
    }

    public Link link(String name) {
        for (Link l : links()) if (l.name().equals(name)) return l;
        throw new NetlinkException.NotFound("get link", name, 19 /* ENODEV */, null);
    }

    public List<Link> links() {
        return sock.dump(ifinfo(new NlMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, sock.nextSeq()), 0, 0, 0), RTM_NEWLINK,
                Rtnetlink::parseLink, "list links");
    }

    static Link parseLink(ByteBuffer b) {
        int index = b.getInt(20), flags = b.getInt(24);
        NlAttrs a = new NlAttrs(b, 32, b.limit());
        byte[] hw = a.bytes(IFLA_ADDRESS);
        return new Link(index, a.string(IFLA_IFNAME), a.nested(IFLA_LINKINFO).string(IFLA_INFO_KIND), a.u32(IFLA_MTU, 0),
                (flags & IFF_UP) != 0, a.u32(IFLA_MASTER, 0), hw == null ? null : java.util.HexFormat.ofDelimiter(":").formatHex(hw));
    }

    // ---- addresses ----

    /** ip addr add ADDRESS/PREFIX dev LINK (with the broadcast address for IPv4; IPv6 ones nodad). */
    public void addAddress(String link, InetAddress address, int prefixLength) {
        sock.request(addressMessage(linkIndex(link), address, prefixLength), "add address " + address.getHostAddress() + "/" + prefixLength, link);
    }

    private NlMessage addressMessage(int index, InetAddress address, int prefixLength) {
        byte[] a = address.getAddress();
        NlMessage m = msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL)
                .int8(family(address)).int8(prefixLength).int8(address instanceof Inet4Address ? 0 : IFA_F_NODAD).int8(RT_SCOPE_UNIVERSE).int32(index)
                .attr(IFA_LOCAL, a).attr(IFA_ADDRESS, a);
        if (address instanceof Inet4Address) m.attr(IFA_BROADCAST, broadcast(a, prefixLength));
        return m;
    }

    public void deleteAddress(String link, InetAddress address, int prefixLength) {
        int index = linkIndex(link);
        byte[] a = address.getAddress();
        NlMessage m = msg(RTM_DELADDR, 0).int8(family(address)).int8(prefixLength).int8(0).int8(0).int32(index)
                .attr(IFA_LOCAL, a).attr(IFA_ADDRESS, a);
        sock.request(m, "delete address " + address.getHostAddress() + "/" + prefixLength, link);
    }

    public List<Address> addresses() {
        return sock.dump(new NlMessage(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, sock.nextSeq()).int8(AF_UNSPEC).int8(0).int8(0).int8(0).int32(0),
                RTM_NEWADDR, Rtnetlink::parseAddress, "list addresses");
    }

    static Address parseAddress(ByteBuffer b) {
        int prefix = Byte.toUnsignedInt(b.get(17)), index = b.getInt(20);
        NlAttrs a = new NlAttrs(b, 24, b.limit());
        byte[] addr = a.has(IFA_LOCAL) ? a.bytes(IFA_LOCAL) : a.bytes(IFA_ADDRESS);
        return addr == null ? null : new Address(index, inet(addr), prefix);
    }

    // ---- routes ----

    /**
     * A route in the main table: to {@code destination/prefixLength} (null, 0: the default
     * route) via {@code gateway} (or none: on-link) out of {@code link} (or null: the kernel picks by gateway).
     */
    public void addRoute(InetAddress destination, int prefixLength, InetAddress gateway, String link) {
        String what = (destination == null ? "default" : destination.getHostAddress() + "/" + prefixLength)
                + (gateway == null ? "" : " via " + gateway.getHostAddress());
        sock.request(routeMessage(destination, prefixLength, gateway, link == null ? 0 : linkIndex(link)), "add route " + what, link);
    }

    private NlMessage routeMessage(InetAddress destination, int prefixLength, InetAddress gateway, int oif) {
        return routeMessage(destination, prefixLength, gateway, oif, 0);
    }

    private NlMessage routeMessage(InetAddress destination, int prefixLength, InetAddress gateway, int oif, int mtu) {
        int family = family(destination != null ? destination : gateway);
        NlMessage m = msg(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL)
                .int8(family).int8(destination == null ? 0 : prefixLength).int8(0).int8(0)
                .int8(RT_TABLE_MAIN).int8(RTPROT_BOOT).int8(gateway == null ? 253 /* RT_SCOPE_LINK */ : RT_SCOPE_UNIVERSE).int8(RTN_UNICAST).int32(0);
        if (destination != null) m.attr(RTA_DST, destination.getAddress());
        if (gateway != null) m.attr(RTA_GATEWAY, gateway.getAddress());
        if (oif != 0) m.attrU32(RTA_OIF, oif);
        if (mtu > 0) m.begin(RTA_METRICS).attrU32(RTAX_MTU, mtu).end();
        return m;
    }

    /** The routes of the main table, IPv4 and IPv6. */
    public List<Route> routes() {
        return sock.dump(new NlMessage(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, sock.nextSeq()).int8(AF_UNSPEC).int8(0).int8(0).int8(0)
                .int8(0).int8(0).int8(0).int8(0).int32(0), RTM_NEWROUTE, Rtnetlink::parseRoute, "list routes");
    }

    static Route parseRoute(ByteBuffer b) {
        int dstLen = Byte.toUnsignedInt(b.get(17)), table = Byte.toUnsignedInt(b.get(20)), type = Byte.toUnsignedInt(b.get(23));
        NlAttrs a = new NlAttrs(b, 28, b.limit());
        table = a.u32(RTA_TABLE, table);
        if (table != RT_TABLE_MAIN || type != RTN_UNICAST) return null; // local, broadcast, other tables: not routes a subnet collides with
        byte[] dst = a.bytes(RTA_DST), gw = a.bytes(RTA_GATEWAY);
        int mtu = a.has(RTA_METRICS) ? a.nested(RTA_METRICS).u32(RTAX_MTU, 0) : 0;
        return new Route(dst == null ? null : inet(dst), dstLen, gw == null ? null : inet(gw), a.u32(RTA_OIF, 0), table, mtu);
    }

    // ---- helpers ----

    private static String checkName(String name) {
        // IFNAMSIZ is 16 with the NUL; the kernel would say EINVAL without saying why
        if (name == null || name.isEmpty() || name.length() > 15 || name.contains("/") || name.chars().anyMatch(Character::isWhitespace))
            throw new IllegalArgumentException("invalid interface name '" + name + "' (1-15 characters, no '/' or spaces)");
        return name;
    }

    private static int family(InetAddress a) {
        return a instanceof Inet4Address ? AF_INET : AF_INET6;
    }

    static byte[] broadcast(byte[] a, int prefixLength) {
        int v = ByteBuffer.wrap(a).getInt(), mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        return ByteBuffer.allocate(4).putInt(v | ~mask).array();
    }

    static InetAddress inet(byte[] a) {
        try {
            return InetAddress.getByAddress(a); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an address of " + a.length + " bytes", e);
        }
    }

    @Override
    public void close() {
        sock.close();
    }
}
