package io.jcontainer;

import java.util.Locale;

/** Mount propagation (mount_namespaces(7)), OCI's and docker's names: {@code rslave}, {@code private}... */
public enum Propagation {
    PRIVATE, RPRIVATE, SLAVE, RSLAVE, SHARED, RSHARED, UNBINDABLE, RUNBINDABLE;

    /** The option's name, e.g. {@code rslave}. */
    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean recursive() {
        return name().startsWith("R");
    }

    /** The mode or null if {@code option} names none. */
    public static Propagation fromOption(String option) {
        for (Propagation p : values()) if (p.option().equals(option)) return p;
        return null;
    }
}
