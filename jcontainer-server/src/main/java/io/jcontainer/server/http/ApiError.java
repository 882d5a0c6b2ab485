package io.jcontainer.server.http;

/**
 * A request the API answers with an error: docker's status code and its {@code {"message": ...}}
 * body. Handlers throw it; the dispatcher writes it (or, once a response has begun, closes the
 * connection, as docker does).
 */
public final class ApiError extends RuntimeException {
    private final int status;

    public ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, message);
    }

    public static ApiError notImplemented(String message) {
        return new ApiError(501, message);
    }
}
