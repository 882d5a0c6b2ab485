package io.jcontainer.server.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerException;
import io.jcontainer.image.ImageReference;
import io.jcontainer.server.http.ApiError;
import io.jcontainer.server.http.Exchange;
import io.jcontainer.server.http.Json;
import io.jcontainer.server.http.Request;
import io.jcontainer.server.http.Router;

/**
 * {@code POST /auth}: docker login's check of credentials against a registry. As docker's daemon,
 * the credentials are only checked here: the client stores them (its own config.json) and sends
 * them with the requests that need them.
 */
final class AuthHandler {
    private final Routes.Backends backends;

    AuthHandler(Routes.Backends backends) {
        this.backends = backends;
    }

    void install(Router r) {
        r.post("/auth", this::auth);
    }

    private void auth(Request req, Exchange ex) {
        ObjectNode body = req.jsonObject();
        String server = registryOf(body.path("serveraddress").asText(""));
        String user = body.path("username").asText("");
        if (user.isEmpty()) {
            if (!body.path("identitytoken").asText("").isEmpty())
                throw ApiError.notImplemented("login to " + server + " with an identity token is not supported: give a username and password");
            throw ApiError.badRequest("username is required");
        }
        try {
            backends.images().checkLogin(server, user, body.path("password").asText(""));
        } catch (ContainerException e) {
            String cls = e.getClass().getSimpleName();
            // docker's answer to refused credentials: 401 with the registry's reason
            if (cls.contains("Denied") || cls.contains("Unauthorized"))
                throw new ApiError(401, "login attempt to " + server + " failed: " + e.getMessage());
            throw e;
        }
        ex.json(200, Json.obj("Status", "Login Succeeded", "IdentityToken", ""));
    }

    /** docker sends {@code https://index.docker.io/v1/} for its default, or a host with a scheme or path: only the host counts. */
    static String registryOf(String server) {
        String s = server.replaceFirst("^https?://", "");
        int slash = s.indexOf('/');
        s = slash < 0 ? s : s.substring(0, slash);
        return s.isEmpty() || s.equals("index.docker.io") || s.equals("registry-1.docker.io") ? ImageReference.DOCKER_HUB : s;
    }
}
