package io.jcontainer.oci.build;

import io.jcontainer.image.build.BuildException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --chown=user[:group]} to numbers, from the image's own {@code /etc/passwd} and
 * {@code /etc/group} (never the host's). A user without a group means the same number as group,
 * as docker does.
 */
final class Owners {
    private Owners() {
    }

    static int[] resolve(BuildContext root, String spec, Instruction.Loc loc) {
        int colon = spec.indexOf(':');
        String user = colon < 0 ? spec : spec.substring(0, colon);
        String group = colon < 0 ? null : spec.substring(colon + 1);
        int uid = id(root, "etc/passwd", user, loc, "user");
        int gid = group == null ? uid : id(root, "etc/group", group, loc, "group");
        return new int[]{uid, gid};
    }

    private static int id(BuildContext root, String file, String name, Instruction.Loc loc, String what) {
        if (name.matches("[0-9]+")) return Integer.parseInt(name);
        try {
            Path f = root.resolve(file, true);
            if (Files.isRegularFile(f)) {
                for (String line : Files.readAllLines(f)) {
                    String[] parts = line.split(":");
                    if (parts.length >= 3 && parts[0].equals(name)) return Integer.parseInt(parts[2]);
                }
            }
        } catch (IOException | NumberFormatException | BuildException e) {
            throw loc.error("cannot look up " + what + " " + name + " in the image's /" + file + ": " + e.getMessage());
        }
        throw loc.error("unable to find " + what + " " + name + ": no matching entries in the image's /" + file);
    }
}
