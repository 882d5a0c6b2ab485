package io.jcontainer.linux.hooks;

import io.jcontainer.linux.launch.LaunchHooks;
import io.jcontainer.linux.plan.HookPoint;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * A container's OCI hooks by phase, and where they run in a start: a user of the launch's hook
 * points ({@link LaunchHooks}). Each runs on the host, as the JVM's user, with the OCI state
 * on stdin (status {@code creating} at prestart/createRuntime/createContainer, {@code created}
 * at startContainer, {@code running} at poststart, {@code stopped} at poststop).
 *
 * <ul>
 *   <li>prestart (deprecated in OCI) and createRuntime: after clone, before the container sets
 *       up ({@link HookPoint#CREATE_RUNTIME}) — its namespaces exist, its pid is in the state;</li>
 *   <li>createContainer: its root is set up, before pivot_root ({@link HookPoint#CREATE_CONTAINER});</li>
 *   <li>startContainer: before the payload's process setup and exec ({@link HookPoint#START_CONTAINER});</li>
 *   <li>poststart, poststop: after STARTED and after EXITED.</li>
 * </ul>
 * A failing prestart/createRuntime/createContainer/startContainer hook (non-zero exit, killed at
 * its timeout, not runnable) fails the start with its output in the exception; the waiting
 * container is killed and nothing is left. Poststart and poststop failures are logged as
 * warnings, as OCI asks. Unlike runc, createContainer and startContainer hooks run in the host's
 * namespaces, not the container's: the pid in the state lets a hook enter them itself.
 */
public record OciHooks(List<OciHook> prestart, List<OciHook> createRuntime, List<OciHook> createContainer,
                       List<OciHook> startContainer, List<OciHook> poststart, List<OciHook> poststop) {
    public static final OciHooks NONE = new OciHooks(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    public OciHooks {
        prestart = List.copyOf(prestart);
        createRuntime = List.copyOf(createRuntime);
        createContainer = List.copyOf(createContainer);
        startContainer = List.copyOf(startContainer);
        poststart = List.copyOf(poststart);
        poststop = List.copyOf(poststop);
    }

    /**
     * The model's hooks ({@link io.jcontainer.Hooks}). Its createContainer and startContainer
     * hooks are refused: OCI runs them in the container's namespaces, which this runner does not
     * (yet) enter — a hook path meant inside the container would run the host's program.
     */
    public static OciHooks of(io.jcontainer.Hooks h) {
        for (io.jcontainer.Hooks.Stage s : java.util.List.of(io.jcontainer.Hooks.Stage.CREATE_CONTAINER, io.jcontainer.Hooks.Stage.START_CONTAINER))
            if (!h.get(s).isEmpty())
                throw new io.jcontainer.HostUnsupportedException("hooks." + (s == io.jcontainer.Hooks.Stage.CREATE_CONTAINER ? "createContainer" : "startContainer")
                        + ": hooks that run in the container's namespaces are not supported yet (" + h.get(s).size() + " given)",
                        "use a createRuntime or poststart hook, which runs on the host with the container's pid in its state");
        return new OciHooks(convert(h.prestart()), convert(h.createRuntime()), List.of(), List.of(), convert(h.poststart()), convert(h.poststop()));
    }

    private static List<OciHook> convert(List<io.jcontainer.Hooks.Hook> hooks) {
        return hooks.stream().map(k -> new OciHook(k.path(), k.args(), k.env(), k.timeout())).toList();
    }

    public boolean isEmpty() {
        return prestart.isEmpty() && createRuntime.isEmpty() && createContainer.isEmpty() && startContainer.isEmpty()
                && poststart.isEmpty() && poststop.isEmpty();
    }

    /**
     * Registers the hooks on {@code hooks} for the start of container {@code id}.
     *
     * @param bundle      the state's {@code bundle} (the bundle directory; "" when there is none)
     * @param annotations the state's {@code annotations}
     */
    public LaunchHooks registerOn(LaunchHooks hooks, String id, String bundle, Map<String, String> annotations) {
        stage(hooks, HookPoint.CREATE_RUNTIME, "prestart", prestart, id, bundle, annotations, true);
        stage(hooks, HookPoint.CREATE_RUNTIME, "createRuntime", createRuntime, id, bundle, annotations, true);
        stage(hooks, HookPoint.CREATE_CONTAINER, "createContainer", createContainer, id, bundle, annotations, true);
        stage(hooks, HookPoint.START_CONTAINER, "startContainer", startContainer, id, bundle, annotations, true);
        stage(hooks, HookPoint.POSTSTART, "poststart", poststart, id, bundle, annotations, false);
        stage(hooks, HookPoint.POSTSTOP, "poststop", poststop, id, bundle, annotations, false);
        return hooks;
    }

    private static void stage(LaunchHooks hooks, HookPoint point, String phase, List<OciHook> list, String id, String bundle,
                              Map<String, String> annotations, boolean fatal) {
        if (list.isEmpty()) return;
        String status = switch (point) {
            case CREATE_RUNTIME, CREATE_CONTAINER -> "creating";
            case START_CONTAINER -> "created";
            case POSTSTART -> "running";
            case POSTSTOP -> "stopped";
        };
        hooks.on(point, "OCI " + phase + " hooks", h -> {
            byte[] state = OciHookRunner.state(id, status, h.pid(), bundle, annotations);
            for (OciHook hook : list) {
                try {
                    OciHookRunner.run(hook, phase, state);
                } catch (RuntimeException e) {
                    if (fatal) throw e;
                    LoggerFactory.getLogger(OciHooks.class).warn("jcontainer: container {}: {}", id, e.getMessage());
                }
            }
        });
    }
}
