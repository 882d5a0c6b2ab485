package io.jcontainer.image;

import java.util.List;

/** The registry refused the credentials or the access (HTTP 401 or 403). */
public class RegistryDeniedException extends RegistryException {
    public RegistryDeniedException(String message, int status, List<String> errorCodes) {
        super(message, status, errorCodes);
    }
}
