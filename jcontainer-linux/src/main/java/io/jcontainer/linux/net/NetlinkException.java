package io.jcontainer.linux.net;

import io.jcontainer.ContainerException;
import io.jcontainer.linux.sys.Errno;

/**
 * The kernel refused a netlink request (an NLMSG_ERROR with a negative errno): names the
 * operation ("create veth"), the link or address it was about, the errno and — where the kernel
 * gave one through extended acks — its own explanation.
 */
public class NetlinkException extends ContainerException {
    private final String operation;
    private final String subject;
    private final int errno;

    public NetlinkException(String operation, String subject, int errno, String kernelMessage) {
        super("netlink " + operation + (subject == null ? "" : " " + subject) + ": " + Errno.name(errno) + " (" + Errno.text(errno) + ")"
                + (kernelMessage == null || kernelMessage.isEmpty() ? "" : ": " + kernelMessage));
        this.operation = operation;
        this.subject = subject;
        this.errno = errno;
    }

    public String operation() { return operation; }
    public String subject() { return subject; }
    public int errno() { return errno; }

    /** EEXIST: a link, address or route of that name or value is already there. */
    public static final class Exists extends NetlinkException {
        public Exists(String operation, String subject, String kernelMessage) {
            super(operation, subject, Errno.EEXIST, kernelMessage);
        }
    }

    /** ENODEV / ENOENT / ESRCH: the link, address or route is not there. */
    public static final class NotFound extends NetlinkException {
        public NotFound(String operation, String subject, int errno, String kernelMessage) {
            super(operation, subject, errno, kernelMessage);
        }
    }

    static NetlinkException of(String operation, String subject, int errno, String kernelMessage) {
        return switch (errno) {
            case Errno.EEXIST -> new Exists(operation, subject, kernelMessage);
            case 19 /* ENODEV */, Errno.ENOENT, Errno.ESRCH -> new NotFound(operation, subject, errno, kernelMessage);
            default -> new NetlinkException(operation, subject, errno, kernelMessage);
        };
    }
}
