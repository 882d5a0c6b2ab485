package io.jcontainer.oci.build;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs one {@code RUN} step's command in a container whose root is {@code rootfs} (read-write;
 * the builder diffs it afterwards). The seam between the builder and the container runtime:
 * {@link ContainerStepRunner} is the real one.
 */
public interface StepRunner {

    /** A host path mounted into the step (cache, bind and secret mounts). */
    record Bind(Path source, String target, boolean readOnly) {
    }

    /**
     * @param network {@code default} and {@code none}: a network namespace of its own (loopback
     *                only); {@code host}: the host's network
     */
    record Step(Path rootfs, List<String> argv, List<String> env, String workdir, String user, String network,
                List<Bind> binds, List<String> tmpfs) {
        public Step {
            argv = List.copyOf(argv);
            env = List.copyOf(env);
            binds = List.copyOf(binds);
            tmpfs = List.copyOf(tmpfs);
        }
    }

    /** Where a step's output goes, line by line, with the stream it came from. */
    interface Output {
        void line(String line, boolean stderr);
    }

    /** Runs the step to its end and returns its exit code (128 + n for a signal). */
    int run(Step step, Output output) throws InterruptedException;
}
