package io.jcontainer.server;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A Testcontainers "test run" that never cleans up, for {@link SessionReaperTest}: it starts a
 * container of {@code IMAGE}, says {@code STARTED id}, keeps using it for {@code BUSY_MS} (a
 * request every {@code EVERY_MS}, fewer than the server's grace period apart), says {@code
 * ALIVE} if it still runs, then waits to be killed (SIGKILL: no shutdown hook runs).
 * {@code TestcontainersSession IMAGE BUSY_MS EVERY_MS}; DOCKER_HOST and Ryuk's switch come from the environment.
 */
public final class TestcontainersSession {
    public static void main(String[] args) throws Exception {
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(args[0]))
                .withCommand("-c", "echo ready; exec sleep 600")
                .waitingFor(Wait.forLogMessage(".*ready.*", 1));
        c.start();
        System.out.println("STARTED " + c.getContainerId());
        boolean running = true;
        for (long end = System.currentTimeMillis() + Long.parseLong(args[1]); running && System.currentTimeMillis() < end; ) {
            Thread.sleep(Long.parseLong(args[2]));
            running = c.isRunning();
        }
        System.out.println(running ? "ALIVE" : "GONE");
        Thread.sleep(600_000);
    }
}
