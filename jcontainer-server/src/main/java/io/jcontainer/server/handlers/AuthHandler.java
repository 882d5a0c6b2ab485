package io.jcontainer.server.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.server.http.ApiError;
import io.jcontainer.server.http.Exchange;
import io.jcontainer.server.http.Request;
import io.jcontainer.server.http.Router;

/** {@code POST /auth}: docker login's check of credentials against a registry. */
final class AuthHandler {
    void install(Router r) {
        r.post("/auth", this::auth);
    }

    private void auth(Request req, Exchange ex) {
        ObjectNode body = req.jsonObject();
        String server = body.path("serveraddress").asText("");
        if (body.path("username").asText("").isEmpty() && body.path("identitytoken").asText("").isEmpty())
            throw ApiError.badRequest("username is required");
        // Checking credentials needs the registry client of the images module.
        throw ApiError.notImplemented("registry login to " + (server.isEmpty() ? "the default registry" : server)
                + " is not implemented yet: jcontainer's registry client has no login");
    }
}
