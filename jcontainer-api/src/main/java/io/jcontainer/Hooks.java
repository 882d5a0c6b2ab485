package io.jcontainer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * OCI's {@code hooks}: programs run at points of a container's life, each given the
 * container's state on stdin. The model is complete; the Linux runtime runs prestart,
 * createRuntime, poststart and poststop on the launch's hook points, and refuses createContainer
 * and startContainer (OCI runs them inside the container's namespaces) at start, naming them.
 */
public record Hooks(List<Hook> prestart, List<Hook> createRuntime, List<Hook> createContainer,
                   List<Hook> startContainer, List<Hook> poststart, List<Hook> poststop) {

    public static final Hooks NONE = new Hooks(null, null, null, null, null, null);

    /** The six points, in the order of a container's life. */
    public enum Stage { PRESTART, CREATE_RUNTIME, CREATE_CONTAINER, START_CONTAINER, POSTSTART, POSTSTOP }

    /**
     * One hook.
     *
     * @param path    absolute host path of the program (inside the container for createContainer and startContainer)
     * @param args    its argv, args[0] included (OCI), or empty for just the path
     * @param env     its environment, {@code K=V}
     * @param timeout killed after this, or null for no limit
     */
    public record Hook(Path path, List<String> args, List<String> env, Duration timeout) {
        public Hook {
            if (path == null || !path.isAbsolute()) throw new InvalidSpecException("hooks", "a hook's path must be absolute, got '" + path + "'");
            Checks.noNul("hooks", path.toString());
            args = Checks.list("hooks.args", args);
            env = Checks.list("hooks.env", env);
            for (String a : args) Checks.noNul("hooks.args", a);
            for (String e : env) if (Checks.noNul("hooks.env", e).indexOf('=') <= 0) throw new InvalidSpecException("hooks.env", "expected K=V, got '" + e + "'");
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) throw new InvalidSpecException("hooks.timeout", "must be positive: " + timeout);
        }

        public static Hook of(Path path, String... args) {
            return new Hook(path, List.of(args), List.of(), null);
        }
    }

    public Hooks {
        prestart = Checks.list("hooks.prestart", prestart);
        createRuntime = Checks.list("hooks.createRuntime", createRuntime);
        createContainer = Checks.list("hooks.createContainer", createContainer);
        startContainer = Checks.list("hooks.startContainer", startContainer);
        poststart = Checks.list("hooks.poststart", poststart);
        poststop = Checks.list("hooks.poststop", poststop);
    }

    public List<Hook> get(Stage stage) {
        return switch (stage) {
            case PRESTART -> prestart;
            case CREATE_RUNTIME -> createRuntime;
            case CREATE_CONTAINER -> createContainer;
            case START_CONTAINER -> startContainer;
            case POSTSTART -> poststart;
            case POSTSTOP -> poststop;
        };
    }

    /** A copy with {@code hook} appended to {@code stage}. */
    public Hooks with(Stage stage, Hook hook) {
        Map<Stage, List<Hook>> m = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            List<Hook> l = new java.util.ArrayList<>(get(s));
            if (s == stage) l.add(hook);
            m.put(s, l);
        }
        return new Hooks(m.get(Stage.PRESTART), m.get(Stage.CREATE_RUNTIME), m.get(Stage.CREATE_CONTAINER),
                m.get(Stage.START_CONTAINER), m.get(Stage.POSTSTART), m.get(Stage.POSTSTOP));
    }

    public boolean isEmpty() {
        for (Stage s : Stage.values()) if (!get(s).isEmpty()) return false;
        return true;
    }
}
