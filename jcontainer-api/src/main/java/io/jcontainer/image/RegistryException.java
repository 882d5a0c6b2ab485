package io.jcontainer.image;

import java.util.List;

/**
 * A registry answered with an error, or could not be reached. {@link #status()} is the HTTP
 * status (0 when there was no answer), {@link #errorCodes()} the registry's error codes
 * ({@code MANIFEST_UNKNOWN}, {@code DENIED}, …) from the body, when it sent any.
 */
public class RegistryException extends ImageException {
    private final int status;
    private final List<String> errorCodes;

    public RegistryException(String message, int status, List<String> errorCodes) {
        super(message);
        this.status = status;
        this.errorCodes = List.copyOf(errorCodes);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.errorCodes = List.of();
    }

    public int status() {
        return status;
    }

    public List<String> errorCodes() {
        return errorCodes;
    }
}
