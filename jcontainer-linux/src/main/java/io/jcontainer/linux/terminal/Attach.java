package io.jcontainer.linux.terminal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The input half of {@code docker attach}: copies the user's keystrokes to the sandbox until
 * the detach sequence (ctrl-p ctrl-q, docker's default) or end of input. A ctrl-p followed by
 * anything else is passed on with it, so ctrl-p alone still reaches the payload.
 */
public final class Attach {
    public static final int CTRL_P = 0x10, CTRL_Q = 0x11;

    /** How copying ended. */
    public enum End { DETACHED, INPUT_CLOSED }

    private Attach() {
    }

    public static End copyInput(InputStream user, OutputStream sandbox) throws IOException {
        byte[] buf = new byte[4096];
        boolean pendingCtrlP = false;
        int n;
        while ((n = user.read(buf)) > 0) {
            byte[] out = new byte[n + 1];
            int o = 0;
            for (int i = 0; i < n; i++) {
                int b = buf[i] & 0xff;
                if (pendingCtrlP) {
                    pendingCtrlP = false;
                    if (b == CTRL_Q) {
                        if (o > 0) sandbox.write(out, 0, o);
                        sandbox.flush();
                        return End.DETACHED;
                    }
                    out[o++] = (byte) CTRL_P;
                }
                if (b == CTRL_P) pendingCtrlP = true;
                else {
                    if (o == out.length) {
                        sandbox.write(out, 0, o);
                        o = 0;
                    }
                    out[o++] = (byte) b;
                }
            }
            if (o > 0) sandbox.write(out, 0, o);
            sandbox.flush();
        }
        if (pendingCtrlP) sandbox.write(CTRL_P);
        return End.INPUT_CLOSED;
    }
}
