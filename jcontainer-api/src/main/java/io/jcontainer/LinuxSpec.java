package io.jcontainer;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OCI's {@code linux}: namespaces, id maps, cgroup resources and security. Immutable; the
 * builder's setters replace it with the {@code with...} copies.
 *
 * @param namespaces        the container's namespaces, each new or joined by path; at most one per type
 * @param uidMappings       user namespace uid map, or empty for the runtime's default
 * @param gidMappings       user namespace gid map, or empty for the runtime's default
 * @param resources         cgroup limits
 * @param cgroupsPath       the cgroup to use (OCI: absolute from each hierarchy's root, or relative to the runtime's cgroup), or null for the runtime's own
 * @param sysctl            kernel parameters set inside the container (namespaced keys only)
 * @param seccomp           the system call filter
 * @param maskedPaths       paths made inaccessible, or null for the runtime's defaults
 * @param readonlyPaths     paths made read-only, or null for the runtime's defaults
 * @param devices           device nodes beside the default ones
 * @param rootfsPropagation propagation of the root mount, or null for the default (private: nothing reaches the host)
 * @param unprivilegedRoot  with a USER namespace and no explicit maps, map the container's ids to an
 *                          unprivileged host range even from a root JVM (jcontainer's, not OCI's;
 *                          see {@link ContainerSpec.Builder#unprivilegedRoot})
 */
public record LinuxSpec(List<LinuxNamespace> namespaces, List<IdMap> uidMappings, List<IdMap> gidMappings, Resources resources,
                        String cgroupsPath, Map<String, String> sysctl, Seccomp seccomp, List<String> maskedPaths,
                        List<String> readonlyPaths, List<Device> devices, Propagation rootfsPropagation, boolean unprivilegedRoot) {

    public LinuxSpec {
        namespaces = Checks.list("namespaces", namespaces);
        Map<Namespace, LinuxNamespace> byType = new EnumMap<>(Namespace.class);
        for (LinuxNamespace n : namespaces)
            if (byType.put(n.type(), n) != null) throw new InvalidSpecException("namespaces", n.type() + " is given twice");
        namespaces = List.copyOf(byType.values()); // one order for equal specs
        uidMappings = Checks.list("uidMappings", uidMappings);
        gidMappings = Checks.list("gidMappings", gidMappings);
        if (resources == null) resources = Resources.NONE;
        if (cgroupsPath != null && (cgroupsPath.isEmpty() || cgroupsPath.indexOf('\0') >= 0 || List.of(cgroupsPath.split("/")).contains("..")))
            throw new InvalidSpecException("cgroupsPath", "invalid cgroup path '" + cgroupsPath.replace('\0', '?') + "'");
        sysctl = Checks.map("sysctl", sysctl);
        sysctl.forEach((k, v) -> {
            if (!k.matches("[a-zA-Z0-9_]+([./][a-zA-Z0-9_*:-]+)*") || k.contains(".."))
                throw new InvalidSpecException("sysctl", "invalid key '" + k.replace('\0', '?') + "'");
            Checks.noNul("sysctl." + k, v);
        });
        if (seccomp == null) throw new InvalidSpecException("seccomp", "null; use Seccomp.UNCONFINED for none");
        if (maskedPaths != null) {
            maskedPaths = Checks.list("maskedPaths", maskedPaths);
            for (String p : maskedPaths) Checks.absolute("maskedPaths", p);
        }
        if (readonlyPaths != null) {
            readonlyPaths = Checks.list("readonlyPaths", readonlyPaths);
            for (String p : readonlyPaths) Checks.absolute("readonlyPaths", p);
        }
        devices = Checks.list("devices", devices);
    }

    /** OCI's fields only: {@code unprivilegedRoot} off. */
    public LinuxSpec(List<LinuxNamespace> namespaces, List<IdMap> uidMappings, List<IdMap> gidMappings, Resources resources,
                     String cgroupsPath, Map<String, String> sysctl, Seccomp seccomp, List<String> maskedPaths,
                     List<String> readonlyPaths, List<Device> devices, Propagation rootfsPropagation) {
        this(namespaces, uidMappings, gidMappings, resources, cgroupsPath, sysctl, seccomp, maskedPaths, readonlyPaths, devices, rootfsPropagation, false);
    }

    /** The namespaces in a set (new and joined alike). */
    public Set<Namespace> namespaceTypes() {
        EnumSet<Namespace> s = EnumSet.noneOf(Namespace.class);
        for (LinuxNamespace n : namespaces) s.add(n.type());
        return s;
    }

    public boolean has(Namespace ns) {
        for (LinuxNamespace n : namespaces) if (n.type() == ns) return true;
        return false;
    }

    /** The path a namespace is joined by, or null if it is new (or absent). */
    public String namespacePath(Namespace ns) {
        for (LinuxNamespace n : namespaces) if (n.type() == ns) return n.path();
        return null;
    }

    /** The namespaces of {@code types}, new, keeping the join path of those already joined. */
    public LinuxSpec withNamespaceTypes(Set<Namespace> types) {
        List<LinuxNamespace> l = new java.util.ArrayList<>();
        for (Namespace t : types) l.add(new LinuxNamespace(t, namespacePath(t)));
        return withNamespaces(l);
    }

    public LinuxSpec withNamespace(LinuxNamespace ns) {
        List<LinuxNamespace> l = new java.util.ArrayList<>(namespaces);
        l.removeIf(n -> n.type() == ns.type());
        l.add(ns);
        return withNamespaces(l);
    }

    public LinuxSpec withNamespaces(List<LinuxNamespace> v) { return new LinuxSpec(v, uidMappings, gidMappings, resources, cgroupsPath, sysctl, seccomp, maskedPaths, readonlyPaths, devices, rootfsPropagation, unprivilegedRoot); }
    public LinuxSpec withUidMappings(List<IdMap> v) { return new LinuxSpec(namespaces, v, gidMappings, resources, cgroupsPath, sysctl, seccomp, maskedPaths, readonlyPaths, devices, rootfsPropagation, unprivilegedRoot); }
    public LinuxSpec withGidMappings(List<IdMap> v) { return new LinuxSpec(namespaces, uidMappings, v, resources, cgroupsPath, sysctl, seccomp, maskedPaths, readonlyPaths, devices, rootfsPropagation, unprivilegedRoot); }
    public LinuxSpec withResources(Resources v) { return new LinuxSpec(namespaces, uidMappings, gidMappings, v, cgroupsPath, sysctl, seccomp, maskedPaths, readonlyPaths, devices, rootfsPropagation, unprivilegedRoot); }
    public LinuxSpec withCgroupsPath(String v) { return new LinuxSpec(namespaces, uidMappings, gidMappings, resources, v, sysctl, seccomp, maskedPaths, readonlyPaths, devices, rootfsPropagation, unprivilegedRoot); }
    public LinuxSpec withSysctl(Map<String, String> v) { return new LinuxSpec(namespaces, uidMappings, gidMappings, resources, cgroupsPath, v, seccomp, maskedPaths, readonlyPaths, devices, rootfsPropagation, unprivilegedRoot); }
    public LinuxSpec withSeccomp(Seccomp v) { return new LinuxSpec(namespaces, uidMappings, gidMappings, resources, cgroupsPath, sysctl, v, maskedPaths, readonlyPaths, devices, rootfsPropagation, unprivilegedRoot); }
    public LinuxSpec withMaskedPaths(List<String> v) { return new LinuxSpec(namespaces, uidMappings, gidMappings, resources, cgroupsPath, sysctl, seccomp, v, readonlyPaths, devices, rootfsPropagation, unprivilegedRoot); }
    public LinuxSpec withReadonlyPaths(List<String> v) { return new LinuxSpec(namespaces, uidMappings, gidMappings, resources, cgroupsPath, sysctl, seccomp, maskedPaths, v, devices, rootfsPropagation, unprivilegedRoot); }
    public LinuxSpec withDevices(List<Device> v) { return new LinuxSpec(namespaces, uidMappings, gidMappings, resources, cgroupsPath, sysctl, seccomp, maskedPaths, readonlyPaths, v, rootfsPropagation, unprivilegedRoot); }
    public LinuxSpec withRootfsPropagation(Propagation v) { return new LinuxSpec(namespaces, uidMappings, gidMappings, resources, cgroupsPath, sysctl, seccomp, maskedPaths, readonlyPaths, devices, v, unprivilegedRoot); }
    public LinuxSpec withUnprivilegedRoot(boolean v) { return new LinuxSpec(namespaces, uidMappings, gidMappings, resources, cgroupsPath, sysctl, seccomp, maskedPaths, readonlyPaths, devices, rootfsPropagation, v); }
}
