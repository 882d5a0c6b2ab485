package io.jcontainer.linux.net;

import io.jcontainer.linux.Settings;
import io.jcontainer.linux.sys.Proc;
import io.jcontainer.linux.sys.Syscalls;

import java.util.List;

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
     * Applies published ports' map changes, in order, as one transaction in the calling thread's
     * network namespace; a {@link NetworkException} when the kernel refuses one (an element
     * already there with other data, or not there to delete). As nft text unless overridden.
     */
    default void changeElements(List<NftRuleset.Element> changes) {
        if (!changes.isEmpty()) run(NftRuleset.text(changes));
    }

    /**
     * {@link #detect()} at the first script: loading libnftables links its downcalls, which the
     * verbs that only read the network records (inspect's endpoints, ps) must not pay for.
     * Element changes go through nf_tables' netlink interface ({@link NftElements}) on a socket
     * kept open per network namespace, unless {@code jcontainer.nft=program} asks for the program.
     */
    static Nftables lazy(Syscalls sys) {
        return new Nftables() {
            private volatile Nftables detected;
            private NftElements elements; // guarded by this
            private String elementsNamespace;

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

            @Override
            public synchronized void changeElements(List<NftRuleset.Element> changes) {
                if (changes.isEmpty()) return;
                if (Settings.nftProgramOnly()) {
                    Nftables.super.changeElements(changes);
                    return;
                }
                String here = new Proc(sys).link("/proc/thread-self/ns/net");
                if (elements == null || here == null || !here.equals(elementsNamespace)) {
                    if (elements != null) elements.close();
                    elements = null;
                    elements = new NftElements(sys);
                    elementsNamespace = here;
                }
                try {
                    elements.apply(changes);
                } catch (NetlinkException e) {
                    throw new NetworkException("nftables refused a change of jcontainer's published ports: " + e.getMessage(), e);
                }
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
