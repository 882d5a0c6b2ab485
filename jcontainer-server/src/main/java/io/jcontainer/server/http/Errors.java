package io.jcontainer.server.http;

import io.jcontainer.ContainerException;
import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.InvalidSpecException;

/** jcontainer's exceptions as docker's status codes: the one place that decides which is which. */
public final class Errors {
    private Errors() {
    }

    public static ApiError toApiError(Throwable t) {
        if (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) t = t.getCause();
        if (t instanceof ApiError e) return e;
        String msg = t.getMessage() == null ? t.toString() : t.getMessage();
        if (t instanceof InvalidSpecException || t instanceof IllegalArgumentException) return ApiError.badRequest(msg);
        if (t instanceof ContainerNotRunningException) return ApiError.conflict(msg);
        if (t instanceof UnsupportedOperationException) return ApiError.notImplemented(msg);
        if (t instanceof ContainerException) return new ApiError(statusByName(t.getClass()), msg);
        return new ApiError(500, "internal error: " + t);
    }

    /**
     * The exception types of the modules the server sits on, by their contract's names
     * (NoSuch* = 404, *Conflict* = 409, NotSupported* = 501), walking up the class hierarchy.
     */
    private static int statusByName(Class<?> c) {
        for (; c != null && c != Object.class; c = c.getSuperclass()) {
            String n = c.getSimpleName();
            if (n.startsWith("NoSuch") || n.endsWith("NotFoundException")) return 404;
            if (n.contains("Conflict") || n.contains("InUse") || n.contains("AlreadyExists")) return 409;
            if (n.startsWith("NotSupported") || n.startsWith("Unsupported")) return 501;
            if (n.startsWith("Invalid")) return 400;
            if (n.contains("Unauthorized") || n.contains("Authentication")) return 401;
        }
        return 500;
    }
}
