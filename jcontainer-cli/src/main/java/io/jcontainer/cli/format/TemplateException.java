package io.jcontainer.cli.format;

/** A {@code --format} template that does not parse, or fails on the data: docker's wording. */
public final class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }
}
