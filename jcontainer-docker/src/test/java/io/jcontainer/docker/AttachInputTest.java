package io.jcontainer.docker;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The input half of attach: the detach sequence ends it, a broken one is passed on; no root. */
class AttachInputTest {
    @Test
    void ctrlPCtrlQDetachesAndALoneCtrlPReachesTheContainer() throws Exception {
        ByteArrayOutputStream to = new ByteArrayOutputStream();
        byte[] typed = "echo before\n\u0010x\u0010\u0011echo after\n".getBytes();
        assertThat(AttachInput.copyInput(new ByteArrayInputStream(typed), to)).isEqualTo(AttachInput.End.DETACHED);
        assertThat(to.toString()).isEqualTo("echo before\n\u0010x");
    }

    @Test
    void endOfInputReleasesAHeldPrefix() throws Exception {
        ByteArrayOutputStream to = new ByteArrayOutputStream();
        assertThat(AttachInput.copyInput(new ByteArrayInputStream("ab\u0010".getBytes()), to)).isEqualTo(AttachInput.End.INPUT_CLOSED);
        assertThat(to.toString()).isEqualTo("ab\u0010");
    }
}
