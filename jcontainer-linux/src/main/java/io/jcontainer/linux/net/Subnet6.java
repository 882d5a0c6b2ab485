package io.jcontainer.linux.net;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An IPv6 subnet, {@code fd00:1::/64}: parsing (literals only, never a name lookup),
 * containment, overlap and the n-th address, with addresses as 128-bit unsigned numbers.
 */
public record Subnet6(BigInteger base, int prefixLength) {
    private static final BigInteger ALL = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    public Subnet6 {
        // /64 is what docker and SLAAC expect; narrower ones are allowed, but at least 4 addresses
        if (prefixLength < 16 || prefixLength > 124)
            throw new NetworkException.Invalid("IPv6 subnet prefix /" + prefixLength + ": between /16 and /124 (usually /64)");
        if (!base.and(mask(prefixLength).xor(ALL)).equals(BigInteger.ZERO))
            throw new NetworkException.Invalid("IPv6 subnet " + text(base) + "/" + prefixLength + " has host bits set (did you mean "
                    + text(base.and(mask(prefixLength))) + "/" + prefixLength + "?)");
    }

    /** Whether {@code s} (a subnet or an address) is written as IPv6. */
    public static boolean isV6(String s) {
        return s != null && s.indexOf(':') >= 0;
    }

    public static Subnet6 parse(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) throw new NetworkException.Invalid("IPv6 subnet '" + s + "': expected ADDRESS/PREFIX, e.g. fd00:1::/64");
        int prefix;
        try {
            prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new NetworkException.Invalid("IPv6 subnet '" + s + "': the prefix is not a number");
        }
        return new Subnet6(parseAddress(s.substring(0, slash)), prefix);
    }

    /** An IPv6 literal (no zone, no IPv4-mapped form) as a number. */
    public static BigInteger parseAddress(String s) {
        InetAddress a;
        try {
            a = s.indexOf('%') >= 0 ? null : InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            a = null;
        }
        if (!(a instanceof Inet6Address)) throw new NetworkException.Invalid("'" + s + "' is not an IPv6 address");
        return of(a);
    }

    public static BigInteger of(InetAddress a) {
        if (!(a instanceof Inet6Address)) throw new NetworkException.Invalid(a.getHostAddress() + " is not an IPv6 address");
        return new BigInteger(1, a.getAddress());
    }

    static BigInteger mask(int prefix) {
        return ALL.shiftRight(prefix).xor(ALL);
    }

    public static InetAddress inet(BigInteger a) {
        byte[] raw = a.toByteArray(), out = new byte[16];
        int n = Math.min(raw.length, 16);
        System.arraycopy(raw, raw.length - n, out, 16 - n, n);
        return Rtnetlink.inet(out);
    }

    /** RFC 5952's text: lower case, the longest run of two or more zero groups as "::". */
    public static String text(BigInteger a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = a.shiftRight(112 - 16 * i).intValue() & 0xffff;
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!s.isEmpty() && s.charAt(s.length() - 1) != ':') s.append(':');
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    /** An address's canonical text (what endpoints store and inspect shows). */
    public static String canonical(String address) {
        return text(parseAddress(address));
    }

    public boolean contains(BigInteger address) {
        return address.and(mask(prefixLength)).equals(base);
    }

    public boolean overlaps(BigInteger otherBase, int otherPrefix) {
        BigInteger m = mask(Math.min(prefixLength, otherPrefix));
        return base.and(m).equals(otherBase.and(m));
    }

    public boolean overlaps(Subnet6 o) {
        return overlaps(o.base, o.prefixLength);
    }

    /** The n-th address (1: the first after the subnet-router anycast address, docker's gateway). */
    public BigInteger host(long n) {
        return base.add(BigInteger.valueOf(n));
    }

    /** A host address: in the subnet, not the subnet-router anycast address (all host bits zero). */
    public boolean isHost(BigInteger address) {
        return contains(address) && !address.equals(base);
    }

    /** How many addresses (capped: only its first ones are ever handed out). */
    public long size() {
        return 128 - prefixLength >= 62 ? Long.MAX_VALUE : 1L << (128 - prefixLength);
    }

    @Override
    public String toString() {
        return text(base) + "/" + prefixLength;
    }
}
