package io.jcontainer.image;

/**
 * A layer that tried to write outside its root (a {@code ..} path, an absolute hardlink, a
 * whiteout pointing out), or that exceeded a limit (bytes, entries, depth, header size). The
 * partially unpacked layer has been removed.
 */
public class UnsafeLayerException extends ImageException {
    public UnsafeLayerException(String message) {
        super(message);
    }
}
