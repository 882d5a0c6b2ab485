package io.jcontainer.linux.net;

/**
 * Where jcontainer's nftables table is applied: one nft script, run as one atomic transaction
 * (all of it or none), in the network namespace of the calling thread. {@link LibNftables} is
 * libnftables through FFM; {@link NftProgram} the {@code nft} program, a documented fallback
 * for hosts without the library.
 */
public interface Nftables {
    /** Runs {@code script}; returns what nft printed (a listing). */
    String run(String script);

    /**
     * {@link #detect()} at the first script: loading libnftables links its downcalls, which the
     * verbs that only read the network records (inspect's endpoints, ps) must not pay for.
     */
    static Nftables lazy() {
        return new Nftables() {
            private volatile Nftables detected;

            @Override
            public String run(String script) {
                Nftables n = detected;
                if (n == null) {
                    synchronized (this) {
                        if (detected == null) detected = detect();
                        n = detected;
                    }
                }
                return n.run(script);
            }
        };
    }

    /** libnftables when the library is there, else the nft program when it is, else an error naming both. */
    static Nftables detect() {
        Nftables lib = LibNftables.load();
        if (lib != null) return lib;
        if (NftProgram.available()) return new NftProgram();
        return script -> {
            throw new io.jcontainer.HostUnsupportedException("bridge networks need nftables: neither libnftables.so.1 nor the nft program was found",
                    "install Debian's libnftables1 (or nftables)");
        };
    }
}
