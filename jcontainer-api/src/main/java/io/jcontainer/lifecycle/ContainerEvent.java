package io.jcontainer.lifecycle;

import java.time.Instant;
import java.util.Map;

/**
 * One of docker's events about a container ({@code docker events}, the Engine API's
 * {@code GET /events}): {@code create}, {@code start}, {@code die} (attribute {@code exitCode}),
 * {@code oom}, {@code kill} ({@code signal}), {@code stop}, {@code pause}, {@code unpause},
 * {@code rename} ({@code oldName}), {@code update}, {@code destroy}, {@code exec_create},
 * {@code exec_start}, {@code exec_die} ({@code execID}, {@code exitCode}), {@code attach},
 * {@code detach}.
 *
 * @param time       when it happened
 * @param type       docker's event type; {@code container} for all of these
 * @param action     the event's name
 * @param id         the container's id
 * @param attributes docker's {@code Actor.Attributes}: {@code name}, {@code image} and the
 *                   action's own (above)
 */
public record ContainerEvent(Instant time, String type, String action, String id, Map<String, String> attributes) {
    public ContainerEvent {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    public String name() {
        return attributes.get("name");
    }
}
