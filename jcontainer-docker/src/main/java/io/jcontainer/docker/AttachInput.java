package io.jcontainer.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The input half of {@code docker attach}: copies the user's keystrokes to the container until
 * the detach sequence (ctrl-p ctrl-q, docker's default; {@link DetachKeys})
 * or end of input. A ctrl-p followed by anything else is passed on with it, so ctrl-p alone
 * still reaches the payload.
 */
public final class AttachInput {
    public static final int CTRL_P = 0x10, CTRL_Q = 0x11;

    /** How copying ended. */
    public enum End { DETACHED, INPUT_CLOSED }

    private AttachInput() {
    }

    public static End copyInput(InputStream user, OutputStream container) throws IOException {
        return copyInput(user, container, DetachKeys.parse(DetachKeys.DEFAULT));
    }

    /** As {@link #copyInput(InputStream, OutputStream)} with other detach keys (docker's --detach-keys). */
    public static End copyInput(InputStream user, OutputStream container, DetachKeys keys) throws IOException {
        byte[] buf = new byte[4096];
        int n;
        while ((n = user.read(buf)) > 0) {
            DetachKeys.Result r = keys.filter(buf, 0, n);
            if (r.forward().length > 0) container.write(r.forward());
            container.flush();
            if (r.detach()) return End.DETACHED;
        }
        byte[] held = keys.pending();
        if (held.length > 0) {
            container.write(held);
            container.flush();
        }
        return End.INPUT_CLOSED;
    }
}
