package io.jcontainer.lifecycle;

import java.util.List;
import java.util.Map;

/**
 * {@code docker volume}: the user's volumes, kept beside the recorded containers
 * ({@link Containers#volumes()}). A container mounts one as a bind mount of its
 * {@link VolumeInfo#mountpoint()}; the runtime counts the recorded containers whose stored
 * configuration does so, and refuses to remove a volume any of them uses.
 */
public interface Volumes {
    /**
     * {@code docker volume create [NAME]}: creates it, or returns the existing one of that name
     * (docker's {@code -v name:/path} creates it on first use). {@code name} null: an anonymous one.
     */
    VolumeInfo create(String name, Map<String, String> labels);

    /** An anonymous volume, for one container ({@code -v /path}). */
    VolumeInfo createAnonymous();

    /**
     * {@code docker volume ls [--filter]}: filters {@code name} (substring), {@code label}
     * ({@code k} or {@code k=v}), {@code dangling} ({@code true}: used by no container).
     */
    List<VolumeInfo> list(Map<String, List<String>> filters);

    /** {@code docker volume inspect}: throws {@link Containers.NoSuchContainerException}-like {@link NoSuchVolumeException}. */
    VolumeInfo find(String name);

    /** {@code docker volume rm}: refuses one in use ({@link Containers.ConflictException}, docker's wording). */
    void remove(String name);

    /**
     * {@code docker volume prune [--all]}: removes the volumes no container uses — anonymous ones
     * only unless {@code all}, as docker 23+. Returns their names.
     */
    List<String> prune(boolean all);

    /** No volume of that name. */
    class NoSuchVolumeException extends io.jcontainer.ContainerException {
        public NoSuchVolumeException(String message) {
            super(message);
        }
    }
}
