package io.jcontainer.image.build;

import io.jcontainer.ContainerException;

/**
 * A build that failed: the Dockerfile ({@link DockerfileException}), the context (a source
 * outside it, a missing file), a step ({@link StepFailedException}), or the store. Nothing is
 * tagged when a build throws.
 */
public class BuildException extends ContainerException {
    public BuildException(String message) {
        super(message);
    }

    public BuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
