package io.jcontainer.server.handlers;

import io.jcontainer.docker.DockerEvents;
import io.jcontainer.lifecycle.EventQuery;
import io.jcontainer.server.http.ApiError;
import io.jcontainer.server.http.Exchange;
import io.jcontainer.server.http.Json;
import io.jcontainer.server.http.Request;
import io.jcontainer.server.http.Router;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;

/** {@code GET /events}: docker's event messages, one JSON object a line, as they happen. */
final class EventsHandler {
    private final Routes.Backends backends;

    private final PendingContainers pending;

    EventsHandler(Routes.Backends backends, PendingContainers pending) {
        this.backends = backends;
        this.pending = pending;
    }

    void install(Router r) {
        r.get("/events", this::events);
    }

    private void events(Request q, Exchange x) throws Exception {
        Instant since = ContainerHandler.time(q.query("since"));
        Instant until = ContainerHandler.time(q.query("until"));
        EventQuery query;
        try {
            var filters = q.filters();
            filters.computeIfPresent("container", (k, v) -> v.stream().map(pending::resolve).toList());
            query = new EventQuery(since, until, filters);
            query.matches(new io.jcontainer.lifecycle.ContainerEvent(Instant.EPOCH, "container", "probe", "", null)); // bad filter keys: 400 now
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        if (until != null && since != null && until.isBefore(since)) throw ApiError.badRequest("since must be before until");
        // a client gone interrupts this thread (ApiConnection), which ends the subscription
        OutputStream out = x.stream(200, "application/json");
        out.flush();
        try {
            backends.containers().events(query, e -> {
                try {
                    String shown = pending.display(e.id());
                    var ev = shown.equals(e.id()) ? e : new io.jcontainer.lifecycle.ContainerEvent(e.time(), e.type(), e.action(), shown, e.attributes());
                    out.write(Json.bytes(DockerEvents.message(ev)));
                    out.write('\n');
                    return true;
                } catch (IOException gone) {
                    return false;
                }
            });
            out.close();
        } catch (InterruptedException gone) {
            Thread.interrupted();
        }
    }
}
