package io.jcontainer.linux.plan;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire format of plan.h, byte for byte. */
class PlanEncoderTest {
    @Test
    void headerThenOpsWithPaddedStrings() {
        Plan p = new Plan(Plan.CLONE_NEWNS, Plan.KILL_ON_EOF, List.of(), List.of(new Op.WritePid("/a", "%p")),
                List.of(new Op.Hostname("abc"), new Op.Setsid()));
        ByteBuffer b = ByteBuffer.wrap(PlanEncoder.encode(p)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt()).isEqualTo(0x3150434A);
        assertThat(b.getInt()).isEqualTo(2); // version 2: OP_ROOT_OPEN gave way to MF_NEW_ROOT
        assertThat(b.getLong()).isEqualTo(Plan.CLONE_NEWNS);
        assertThat(b.getInt()).isEqualTo(Plan.KILL_ON_EOF);
        assertThat(new int[]{b.getInt(), b.getInt(), b.getInt()}).containsExactly(0, 1, 2);
        // WritePid: opcode 27, payload = str "/a" (len 3 + pad) + str "%p" (len 3 + pad)
        assertThat(b.getInt()).isEqualTo(27);
        assertThat(b.getInt()).isEqualTo(16);
        assertThat(b.getInt()).isEqualTo(3);
        assertThat(new byte[]{b.get(), b.get(), b.get(), b.get()}).containsExactly('/', 'a', 0, 0);
        b.position(b.position() + 8);
        assertThat(b.getInt()).isEqualTo(1); // hostname
        assertThat(b.getInt()).isEqualTo(8);
        assertThat(b.getInt()).isEqualTo(4); // "abc\0"
        b.position(b.position() + 4);
        assertThat(b.getInt()).isEqualTo(11); // setsid
        assertThat(b.getInt()).isZero();
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void theFramedPlanIsItsLengthThenThePlanAlsoWhenItOutgrowsTheBuffer() {
        byte[] big = new byte[40_000]; // a seccomp filter bigger than the first buffer
        Plan p = new Plan(Plan.CLONE_NEWNS, 0, List.of(), List.of(), List.of(new Op.Hostname("h"), new Op.Seccomp(0, big)));
        byte[] plain = PlanEncoder.encode(p), framed = PlanEncoder.encodeFramed(p);
        assertThat(framed).hasSize(plain.length + 4);
        assertThat(ByteBuffer.wrap(framed).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(plain.length);
        assertThat(java.util.Arrays.copyOfRange(framed, 4, framed.length)).isEqualTo(plain);
    }

    @Test
    void nulBytesCannotSmuggleATruncatedPath() {
        Plan p = new Plan(0, 0, List.of(), List.of(), List.of(new Op.Chdir("/a\0/b")));
        assertThatThrownBy(() -> PlanEncoder.encode(p)).isInstanceOf(IllegalArgumentException.class);
    }

    /** OP_PROXY: blob listen address (16 bytes for [::1]), u32 port, blob target address (4 bytes), u32 port. */
    @Test
    void aProxyOpCarriesBothAddressesAndPorts() throws Exception {
        Plan p = new Plan(0, 0, List.of(new Op.Proxy(java.net.InetAddress.getByName("::1"), 8080, java.net.InetAddress.getByName("10.88.0.2"), 80)),
                List.of(), List.of());
        ByteBuffer b = ByteBuffer.wrap(PlanEncoder.encode(p)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(4 + 4 + 8 + 4 + 12);
        assertThat(b.getInt()).isEqualTo(PlanEncoder.OP_PROXY);
        assertThat(b.getInt()).isEqualTo(4 + 16 + 4 + 4 + 4 + 4);
        assertThat(b.getInt()).isEqualTo(16);
        byte[] listen = new byte[16];
        b.get(listen);
        assertThat(listen).isEqualTo(java.net.InetAddress.getByName("::1").getAddress());
        assertThat(b.getInt()).isEqualTo(8080);
        assertThat(b.getInt()).isEqualTo(4);
        assertThat(new byte[]{b.get(), b.get(), b.get(), b.get()}).containsExactly(10, 88, 0, 2);
        assertThat(b.getInt()).isEqualTo(80);
        assertThat(b.hasRemaining()).isFalse();
        assertThatThrownBy(() -> new Op.Proxy(java.net.InetAddress.getByName("::1"), 0, java.net.InetAddress.getByName("10.88.0.2"), 80))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
