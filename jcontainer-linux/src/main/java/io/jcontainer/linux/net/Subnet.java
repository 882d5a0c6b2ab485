package io.jcontainer.linux.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/** An IPv4 subnet, {@code 10.88.0.0/16}: parsing, containment, overlap and the n-th address. */
public record Subnet(int base, int prefixLength) {
    public Subnet {
        if (prefixLength < 8 || prefixLength > 30)
            throw new NetworkException.Invalid("subnet prefix /" + prefixLength + ": between /8 and /30");
        if ((base & ~mask(prefixLength)) != 0)
            throw new NetworkException.Invalid("subnet " + text(base) + "/" + prefixLength + " has host bits set (did you mean "
                    + text(base & mask(prefixLength)) + "/" + prefixLength + "?)");
    }

    public static Subnet parse(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) throw new NetworkException.Invalid("subnet '" + s + "': expected ADDRESS/PREFIX, e.g. 10.88.0.0/16");
        int prefix;
        try {
            prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new NetworkException.Invalid("subnet '" + s + "': the prefix is not a number");
        }
        return new Subnet(parseAddress(s.substring(0, slash)), prefix);
    }

    /** A dotted-quad IPv4 address, without any name lookup. */
    public static int parseAddress(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) throw new NetworkException.Invalid("'" + s + "' is not an IPv4 address");
        int v = 0;
        for (String p : parts) {
            int b;
            try {
                b = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new NetworkException.Invalid("'" + s + "' is not an IPv4 address");
            }
            if (b < 0 || b > 255 || p.isEmpty() || p.length() > 3) throw new NetworkException.Invalid("'" + s + "' is not an IPv4 address");
            v = v << 8 | b;
        }
        return v;
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public static String text(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 255) + "." + (a >>> 8 & 255) + "." + (a & 255);
    }

    public static InetAddress inet(int a) {
        return Rtnetlink.inet(ByteBuffer.allocate(4).putInt(a).array());
    }

    public static int of(InetAddress a) {
        if (!(a instanceof Inet4Address)) throw new NetworkException.Invalid(a.getHostAddress() + " is not an IPv4 address");
        return ByteBuffer.wrap(a.getAddress()).getInt();
    }

    public boolean contains(int address) {
        return (address & mask(prefixLength)) == base;
    }

    public boolean overlaps(int otherBase, int otherPrefix) {
        int m = mask(Math.min(prefixLength, otherPrefix));
        return (base & m) == (otherBase & m);
    }

    public boolean overlaps(Subnet o) {
        return overlaps(o.base, o.prefixLength);
    }

    /** The n-th address (1 = the first host); the network and broadcast addresses are not hosts. */
    public int host(long n) {
        return base + (int) n;
    }

    public long size() {
        return 1L << (32 - prefixLength);
    }

    public boolean isHost(int address) {
        return contains(address) && address != base && address != (base | ~mask(prefixLength));
    }

    @Override
    public String toString() {
        return text(base) + "/" + prefixLength;
    }
}
