package io.jcontainer;

/**
 * This host cannot do what was asked (user namespaces disabled, no writable cgroup, FFM access
 * denied, an unsupported architecture...). The message says which setting blocks it and how to
 * change it.
 */
public class HostUnsupportedException extends ContainerException {
    private final String remedy;

    public HostUnsupportedException(String problem, String remedy) {
        super(problem + (remedy == null || remedy.isEmpty() ? "" : " — " + remedy));
        this.remedy = remedy;
    }

    /** What to change on the host, e.g. {@code sysctl -w user.max_user_namespaces=15000}. */
    public String remedy() {
        return remedy;
    }
}
