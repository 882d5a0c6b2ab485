package io.jcontainer.linux.attach;

import io.jcontainer.ContainerExit;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The frames as plan.h's ATT_* define them: u32 type, u32 length, payload, little-endian. */
class AttachProtocolTest {
    @Test
    void stdinAndResizeFramesAreLittleEndianTypeLengthPayload() {
        assertThat(AttachProtocol.frame(AttachProtocol.STDIN, "xhiy".getBytes(), 1, 2))
                .containsExactly(1, 0, 0, 0, 2, 0, 0, 0, 'h', 'i');
        assertThat(AttachProtocol.resize(33, 300)).containsExactly(2, 0, 0, 0, 4, 0, 0, 0, 33, 0, 0x2c, 1);
        assertThatThrownBy(() -> AttachProtocol.resize(70000, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsMonitorFramesUntilACleanEnd() throws IOException {
        var b = new ByteArrayOutputStream();
        b.writeBytes(new byte[]{4, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0});             // HELLO tty|stdin
        b.writeBytes(new byte[]{1, 0, 0, 0, 3, 0, 0, 0, 'o', 'k', '\n'});          // STDOUT
        b.writeBytes(new byte[]{3, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0});  // EXIT CLD_EXITED 3
        var in = new ByteArrayInputStream(b.toByteArray());
        var hello = AttachProtocol.read(in);
        assertThat(hello.type()).isEqualTo(AttachProtocol.HELLO);
        assertThat(hello.int32(0)).isEqualTo(AttachProtocol.FLAG_TTY | AttachProtocol.FLAG_STDIN);
        var out = AttachProtocol.read(in);
        assertThat(out.type()).isEqualTo(AttachProtocol.STDOUT);
        assertThat(new String(out.payload())).isEqualTo("ok\n");
        var exit = AttachProtocol.read(in);
        assertThat(AttachSession.exit(exit.int32(0), exit.int32(4))).isEqualTo(ContainerExit.exited(3));
        assertThat(AttachProtocol.read(in)).isNull();
    }

    @Test
    void aTruncatedOrOversizedFrameIsAnError() {
        assertThatThrownBy(() -> AttachProtocol.read(new ByteArrayInputStream(new byte[]{1, 0, 0})))
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> AttachProtocol.read(new ByteArrayInputStream(new byte[]{1, 0, 0, 0, 5, 0, 0, 0, 'a'})))
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> AttachProtocol.read(new ByteArrayInputStream(new byte[]{1, 0, 0, 0, 0, 0, 0, (byte) 0x80})))
                .hasMessageContaining("malformed");
    }

    @Test
    void theAttachOpEncodesAsPlanHsOpAttach() {
        byte[] b = io.jcontainer.linux.plan.PlanEncoder.encode(new io.jcontainer.linux.plan.Plan(0, 0,
                java.util.List.of(new io.jcontainer.linux.plan.Op.Attach("/s", true, true)), java.util.List.of(), java.util.List.of()));
        var buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(buf.getInt(32)).isEqualTo(45);       // OP_ATTACH
        assertThat(buf.getInt(40)).isEqualTo(3);        // "/s" and its NUL
        assertThat(buf.getInt(48)).isEqualTo(1 | 2);    // ATTACH_TTY | ATTACH_STDIN
        assertThat(io.jcontainer.linux.plan.SyscallId.of(34)).isEqualTo(io.jcontainer.linux.plan.SyscallId.BIND);
    }

    @Test
    void holdingTheOutputForTheFirstClientIsAttachHold() {
        byte[] b = io.jcontainer.linux.plan.PlanEncoder.encode(new io.jcontainer.linux.plan.Plan(0, 0,
                java.util.List.of(new io.jcontainer.linux.plan.Op.Attach("/s", true, false, true)), java.util.List.of(), java.util.List.of()));
        assertThat(java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(48)).isEqualTo(1 | 4); // ATTACH_TTY | ATTACH_HOLD
    }

    @Test
    void signalExitsMapAsWaitidReportsThem() {
        assertThat(AttachSession.exit(2, 9)).isEqualTo(ContainerExit.killed(9));
        assertThat(AttachSession.exit(2, 9).code()).isEqualTo(137);
        assertThat(AttachSession.exit(3, 11).coreDumped()).isTrue();
    }
}
