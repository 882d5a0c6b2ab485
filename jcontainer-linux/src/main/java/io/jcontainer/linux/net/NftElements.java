package io.jcontainer.linux.net;

import io.jcontainer.linux.sys.Syscalls;

import java.util.ArrayList;
import java.util.List;

/**
 * Published ports added to and deleted from jcontainer's maps through nf_tables' own netlink
 * interface: one batch (one transaction, one sendmsg) on a socket that stays open. Two reasons,
 * both measured: libnftables reads the table's sets before every command, and it closes its
 * socket after each — and closing an nfnetlink socket while the kernel still has deleted
 * objects to free waits for that (an RCU grace period, 8-70 ms under load) when an element was
 * deleted. The chains themselves are still written as nft text ({@link Nftables#run}).
 *
 * <p>The socket belongs to the network namespace of the thread that opened it. Not thread-safe.
 */
final class NftElements implements AutoCloseable {
    static final int NETLINK_NETFILTER = 12;
    static final int NFNL_SUBSYS_NFTABLES = 10, NFNL_MSG_BATCH_BEGIN = 0x10, NFNL_MSG_BATCH_END = 0x11;
    static final int NFT_MSG_NEWSETELEM = 12, NFT_MSG_DELSETELEM = 14;
    static final int NFTA_SET_ELEM_LIST_TABLE = 1, NFTA_SET_ELEM_LIST_SET = 2, NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    static final int NFTA_LIST_ELEM = 1, NFTA_SET_ELEM_KEY = 1, NFTA_SET_ELEM_DATA = 2, NFTA_DATA_VALUE = 1;
    private static final int AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10;

    private final NetlinkSocket sock;

    NftElements(Syscalls sys) {
        this.sock = new NetlinkSocket(sys, NETLINK_NETFILTER);
    }

    /** Applies {@code changes} in order, all or none. */
    void apply(List<NftRuleset.Element> changes) {
        if (changes.isEmpty()) return;
        List<NlMessage> msgs = new ArrayList<>();
        List<String> ops = new ArrayList<>();
        for (NftRuleset.Element e : changes) {
            msgs.add(message(e, sock.nextSeq()));
            ops.add(e.text().strip());
        }
        sock.requestBatch(batch(NFNL_MSG_BATCH_BEGIN, sock.nextSeq()), msgs, batch(NFNL_MSG_BATCH_END, sock.nextSeq()),
                ops, "in table " + NftRuleset.TABLE);
    }

    /** The batch delimiters: struct nfgenmsg with res_id the subsystem (network order). */
    static NlMessage batch(int type, int seq) {
        return new NlMessage(type, NlMessage.NLM_F_REQUEST, seq).int8(AF_UNSPEC).int8(0).int8(0).int8(NFNL_SUBSYS_NFTABLES);
    }

    /** NEWSETELEM (create, an identical element already there is no error) or DELSETELEM with one element. */
    static NlMessage message(NftRuleset.Element e, int seq) {
        int type = NFNL_SUBSYS_NFTABLES << 8 | (e.add() ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
        int flags = NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK | (e.add() ? NlMessage.NLM_F_CREATE : 0);
        NlMessage m = new NlMessage(type, flags, seq).int8(e.ip6() ? AF_INET6 : AF_INET).int8(0).int16(0);
        m.attrString(NFTA_SET_ELEM_LIST_TABLE, NftRuleset.TABLE).attrString(NFTA_SET_ELEM_LIST_SET, e.map());
        m.begin(NlMessage.NLA_F_NESTED | NFTA_SET_ELEM_LIST_ELEMENTS).begin(NlMessage.NLA_F_NESTED | NFTA_LIST_ELEM);
        m.begin(NlMessage.NLA_F_NESTED | NFTA_SET_ELEM_KEY).attr(NFTA_DATA_VALUE, e.key()).end();
        if (e.data() != null) m.begin(NlMessage.NLA_F_NESTED | NFTA_SET_ELEM_DATA).attr(NFTA_DATA_VALUE, e.data()).end();
        return m.end().end();
    }

    @Override
    public void close() {
        sock.close();
    }
}
