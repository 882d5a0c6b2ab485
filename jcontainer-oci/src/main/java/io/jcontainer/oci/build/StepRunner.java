package io.jcontainer.oci.build;

import io.jcontainer.Root;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Runs one {@code RUN} step's command in a container over {@code root}: an overlay of the stage's
 * layers with a fresh upper (whose changes become the layer, {@link #writeChanges}), or a
 * read-write directory the builder diffs afterwards (a store without layer directories). The seam between the builder and the container runtime:
 * {@link ContainerStepRunner} is the real one.
 */
public interface StepRunner {

    /** A host path mounted into the step (cache, bind and secret mounts). */
    record Bind(Path source, String target, boolean readOnly) {
    }

    /**
     * @param network {@code none}: a network namespace of its own (loopback only); {@code host}:
     *                the host's network; anything else a network's name ({@code bridge}: the
     *                default one, through pasta for an ordinary user), as the builder resolved
     *                the step's {@code --network} and the build's
     * @param uidMap  the step's user namespace maps when the builder chose them (a rootless RUN as
     *                another USER); empty: the runtime's own
     */
    record Step(Root root, List<String> argv, List<String> env, String workdir, String user, String network,
                List<Bind> binds, List<String> tmpfs, List<io.jcontainer.IdMap> uidMap, List<io.jcontainer.IdMap> gidMap) {
        public Step {
            argv = List.copyOf(argv);
            env = List.copyOf(env);
            binds = List.copyOf(binds);
            tmpfs = List.copyOf(tmpfs);
            uidMap = List.copyOf(uidMap);
            gidMap = List.copyOf(gidMap);
        }

        /** A step with the runtime's own user namespace maps (none given). */
        public Step(Root root, List<String> argv, List<String> env, String workdir, String user, String network,
                    List<Bind> binds, List<String> tmpfs) {
            this(root, argv, env, workdir, user, network, binds, tmpfs, List.of(), List.of());
        }
    }

    /** Where a step's output goes, line by line, with the stream it came from. */
    interface Output {
        void line(String line, boolean stderr);
    }

    /** Runs the step to its end and returns its exit code (128 + n for a signal). */
    int run(Step step, Output output) throws InterruptedException;

    /**
     * Gets ready for the first step (see {@code ContainerRuntime.prepare}): called on a thread of
     * its own when a build with RUN steps starts, so that it overlaps the base image's pull.
     */
    default void prepare() {
    }

    /** Whether {@link #writeChanges} works: RUN steps then go over an overlay. */
    default boolean overlays() {
        return false;
    }

    /**
     * What a step wrote into the overlay's upper, as an OCI layer tar (see
     * {@code ContainerRuntime.writeOverlayChanges}); {@code mountPoints} are left out where the
     * lowers lack them; owners translated back through the step's user namespace maps (empty:
     * none). {@code out} is not closed.
     */
    default void writeChanges(Root.Overlay root, Set<String> mountPoints, List<io.jcontainer.IdMap> uidMap,
                              List<io.jcontainer.IdMap> gidMap, OutputStream out) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " runs steps in a directory");
    }
}
