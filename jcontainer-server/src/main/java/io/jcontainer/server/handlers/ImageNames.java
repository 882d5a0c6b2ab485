package io.jcontainer.server.handlers;

/** docker's short and long spellings of one image name, reduced to one key. */
final class ImageNames {
    private ImageNames() {
    }

    /** {@code busybox}, {@code busybox:latest}, {@code docker.io/library/busybox:latest} are one image. */
    static String normalize(String name) {
        String n = name;
        for (String p : new String[]{"docker.io/library/", "index.docker.io/library/", "docker.io/"})
            if (n.startsWith(p)) n = n.substring(p.length());
        int slash = n.lastIndexOf('/');
        if (n.endsWith(":latest") && n.lastIndexOf(':') > slash) n = n.substring(0, n.length() - ":latest".length());
        return n;
    }
}
