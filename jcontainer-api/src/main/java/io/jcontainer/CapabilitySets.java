package io.jcontainer;

import java.util.EnumSet;
import java.util.Set;

/**
 * OCI's {@code process.capabilities}: the five sets of capabilities(7). {@code bounding} is
 * always given. The other four may be null, meaning docker's rule: root gets the bounding set
 * as effective and permitted, any other uid none, and nobody inherits or gets ambient ones.
 * Set them explicitly (OCI) to give a non-root payload capabilities, e.g. through
 * {@code ambient} (which must also be in permitted and inheritable).
 */
public record CapabilitySets(Set<Capability> bounding, Set<Capability> effective, Set<Capability> inheritable,
                             Set<Capability> permitted, Set<Capability> ambient) {

    public CapabilitySets {
        if (bounding == null) throw new InvalidSpecException("capabilities.bounding", "null");
        bounding = copy(bounding);
        effective = effective == null ? null : copy(effective);
        inheritable = inheritable == null ? null : copy(inheritable);
        permitted = permitted == null ? null : copy(permitted);
        ambient = ambient == null ? null : copy(ambient);
        if (ambient != null && !ambient.isEmpty()) {
            Set<Capability> p = permitted == null ? Set.of() : permitted, i = inheritable == null ? Set.of() : inheritable;
            for (Capability c : ambient)
                if (!p.contains(c) || !i.contains(c))
                    throw new InvalidSpecException("capabilities.ambient", c + " must also be in the permitted and inheritable sets (capabilities(7))");
        }
    }

    /** Docker's model: one set, the others derived (see the class comment). */
    public static CapabilitySets of(Set<Capability> caps) {
        return new CapabilitySets(caps, null, null, null, null);
    }

    public static CapabilitySets dockerDefaults() {
        return of(Capability.dockerDefaults());
    }

    /** Whether any of the four derived sets is given explicitly. */
    public boolean explicit() {
        return effective != null || inheritable != null || permitted != null || ambient != null;
    }

    private static Set<Capability> copy(Set<Capability> s) {
        for (Capability c : s) if (c == null) throw new InvalidSpecException("capabilities", "contains null");
        return java.util.Collections.unmodifiableSet(s.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(s));
    }
}
