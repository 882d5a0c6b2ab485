package io.jcontainer.cli;

import io.jcontainer.ContainerException;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.HostTerminal;
import io.jcontainer.spi.ContainerRuntime;

import java.util.List;

/**
 * The lifecycle verbs' view of the host's containers: the public lifecycle API
 * ({@link Containers}, /run/jcontainer/containers for root). Docker's wording for errors about
 * them, exit 1.
 */
final class Store {
    private Store() {
    }

    /** The user's recorded containers ({@code JCONTAINER_STATE_DIR} overrides where). */
    static Containers containers() {
        return ContainerRuntime.get().containers(null);
    }

    static HostTerminal terminal() {
        return ContainerRuntime.get().hostTerminal();
    }

    /** The container a reference names (full id, name, unique id prefix), or exit 1 with docker's message. */
    static ContainerInfo find(String ref) {
        try {
            return containers().find(ref);
        } catch (Containers.NoSuchContainerException e) {
            throw daemon(e);
        }
    }

    /** docker's way of reporting what its daemon refused: exit 1, "Error response from daemon: ...". */
    static CliException daemon(ContainerException e) {
        return new CliException(1, "Error response from daemon: " + e.getMessage());
    }

    /** What a verb does to one of the containers it was given. */
    interface EachContainer {
        void apply(String ref, ContainerInfo c) throws Exception;
    }

    /**
     * docker's way with verbs that take several containers (stop, kill, rm, pause, unpause):
     * each reference is printed as given once done; a failure is one line on stderr and the
     * others still run; the status is 1 if any failed.
     */
    static int forEach(List<String> refs, Io io, EachContainer action) throws Exception {
        int rc = 0;
        for (String ref : refs) {
            try {
                action.apply(ref, find(ref));
                io.out().println(ref);
            } catch (CliException e) {
                io.err().println(e.getMessage());
                rc = 1;
            }
        }
        return rc;
    }
}
