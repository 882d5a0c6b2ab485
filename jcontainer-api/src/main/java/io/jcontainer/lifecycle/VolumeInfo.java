package io.jcontainer.lifecycle;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A named or anonymous volume ({@code docker volume inspect}): a directory the runtime keeps for
 * containers to mount, outliving them.
 *
 * @param name       its name (an anonymous volume's is 64 hex digits)
 * @param driver     {@code local}: a directory on this host
 * @param mountpoint the host directory containers mount
 * @param createdAt  when it was created
 * @param labels     docker's {@code --label}s
 * @param anonymous  made for one container ({@code -v /path}, {@code --mount type=volume} without a
 *                   source): {@code rm -v} of that container removes it
 * @param usedBy     ids of the recorded containers whose configuration mounts it (running or not):
 *                   while any does, it is not removed
 */
public record VolumeInfo(String name, String driver, Path mountpoint, Instant createdAt, Map<String, String> labels, boolean anonymous,
                         List<String> usedBy) {
    public VolumeInfo {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        usedBy = usedBy == null ? List.of() : List.copyOf(usedBy);
    }
}
