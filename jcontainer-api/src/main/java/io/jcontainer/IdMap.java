package io.jcontainer;

/**
 * One line of a user namespace's {@code uid_map} or {@code gid_map}: ids
 * {@code [containerId, containerId+size)} inside are {@code [hostId, hostId+size)} outside.
 */
public record IdMap(long containerId, long hostId, long size) {
    public IdMap {
        if (containerId < 0 || hostId < 0 || size <= 0 || containerId + size > 0x1_0000_0000L || hostId + size > 0x1_0000_0000L)
            throw new InvalidSpecException("idmap", "invalid id mapping " + containerId + " " + hostId + " " + size);
    }

    /** Parses {@code CONTAINER:HOST:SIZE} (docker's and podman's notation). */
    public static IdMap parse(String text) {
        String[] p = text.split(":");
        if (p.length != 3) throw new InvalidSpecException("idmap", "expected CONTAINER-ID:HOST-ID:SIZE, got '" + text + "'");
        try {
            return new IdMap(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]));
        } catch (NumberFormatException e) {
            throw new InvalidSpecException("idmap", "not numbers: '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return containerId + " " + hostId + " " + size;
    }
}
