package io.jcontainer.cli;

import io.jcontainer.docker.DockerUpdate;

/**
 * {@code jcontainer update [OPTIONS] CONTAINER...}: docker's flags ({@link DockerUpdate} maps
 * them); the new limits are written into each running container's cgroups and kept in its
 * record, the restart policy from its next start on.
 */
public final class UpdateCommand implements Command {
    @Override
    public String name() {
        return "update";
    }

    @Override
    public String summary() {
        return "Update configuration of one or more containers";
    }

    @Override
    public String usage() {
        return "update [OPTIONS] CONTAINER [CONTAINER...]";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .value("blkio-weight", (char) 0, "uint16", "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)")
                .value("cpu-period", (char) 0, "int", "Limit CPU CFS (Completely Fair Scheduler) period (100000 only)")
                .value("cpu-quota", (char) 0, "int", "Limit CPU CFS (Completely Fair Scheduler) quota")
                .value("cpu-rt-period", (char) 0, "int", "Limit the CPU real-time period in microseconds (refused: not supported)")
                .value("cpu-rt-runtime", (char) 0, "int", "Limit the CPU real-time runtime in microseconds (refused: not supported)")
                .value("cpu-shares", 'c', "int", "CPU shares (relative weight)")
                .value("cpus", (char) 0, "decimal", "Number of CPUs")
                .value("cpuset-cpus", (char) 0, "string", "CPUs in which to allow execution (0-3, 0,1)")
                .value("cpuset-mems", (char) 0, "string", "MEMs in which to allow execution (0-3, 0,1)")
                .value("kernel-memory", (char) 0, "bytes", "Kernel memory limit (refused: removed from the kernel)")
                .value("memory", 'm', "bytes", "Memory limit")
                .value("memory-reservation", (char) 0, "bytes", "Memory soft limit")
                .value("memory-swap", (char) 0, "bytes", "Swap limit equal to memory plus swap: -1 to enable unlimited swap")
                .value("pids-limit", (char) 0, "int", "Tune container pids limit (set -1 for unlimited)")
                .value("restart", (char) 0, "string", "Restart policy to apply when a container exits");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"update\" requires at least 1 argument.");
        DockerUpdate.Update u = DockerUpdate.of(p::value); // bad values fail before any container is touched
        int rc = 0;
        for (String ref : p.positionals()) {
            try {
                Store.find(ref);
                Store.containers().update(ref, u.resources(), u.restart());
                io.out().println(ref);
            } catch (CliException e) {
                io.err().println(e.getMessage());
                rc = 1;
            } catch (io.jcontainer.ContainerException e) {
                io.err().println("Error response from daemon: Cannot update container " + ref + ": " + e.getMessage());
                rc = 1;
            }
        }
        return rc;
    }
}
