package io.jcontainer;

/**
 * The spec itself is wrong (a relative rootfs, a malformed volume, an unknown user...). Thrown
 * before any system call is made, naming the setting and why it was refused.
 */
public class InvalidSpecException extends ContainerException {
    private final String setting;

    public InvalidSpecException(String setting, String reason) {
        super(setting + ": " + reason);
        this.setting = setting;
    }

    /** The builder setting or CLI flag that was refused, e.g. {@code rootfs} or {@code volume}. */
    public String setting() {
        return setting;
    }
}
