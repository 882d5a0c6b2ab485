package io.jcontainer.server.handlers;

import io.jcontainer.server.http.Router;

/** Every endpoint, one handler class per resource (as podman's compat handlers). */
public final class Routes {
    private Routes() {
    }

    /** What the endpoints serve. Unset parts are this host's, loaded when first used. */
    public static final class Backends {
    }

    public static Router all(Backends b) {
        Router r = new Router();
        new SystemHandler().install(r);
        new AuthHandler().install(r);
        return r;
    }
}
