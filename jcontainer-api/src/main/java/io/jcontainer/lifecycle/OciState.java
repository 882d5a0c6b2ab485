package io.jcontainer.lifecycle;

import java.util.Map;

/**
 * A recorded container's state in the shape of the OCI runtime spec's state (runtime-spec 1.2,
 * "State"): what {@code runc state} prints and what OCI hooks read on their stdin.
 *
 * @param ociVersion  the runtime-spec version the state follows
 * @param id          the container's id (64 hex digits)
 * @param status      where it is in the OCI lifecycle
 * @param pid         the host pid of its first process while it runs, 0 otherwise
 * @param bundle      the bundle directory it was created from (its state directory when it was
 *                    started from a spec rather than a bundle)
 * @param annotations the spec's annotations (empty until the spec carries them)
 */
public record OciState(String ociVersion, String id, Status status, long pid, String bundle, Map<String, String> annotations) {
    public static final String VERSION = "1.2.0";

    public OciState {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** The OCI statuses; docker's richer ones ({@link ContainerInfo.Status}) map onto them. */
    public enum Status {
        CREATING, CREATED, RUNNING, STOPPED, PAUSED;

        /** The spelling of the OCI state's {@code status} field. */
        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
