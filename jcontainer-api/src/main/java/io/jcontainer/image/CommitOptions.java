package io.jcontainer.image;

import java.util.List;

/**
 * How {@link Images#commit} and {@link Images#importImage} make an image: Dockerfile instructions
 * applied to its config ({@code -c 'CMD ["sh"]'}: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD,
 * STOPSIGNAL, USER, VOLUME, WORKDIR — docker's list), the history entry's comment ({@code -m}),
 * the author ({@code -a}), what the history says created the layer, and the references to tag.
 *
 * @param changes   instruction lines, in order
 * @param message   the history comment, or null
 * @param author    the image's author, or null (kept from the parent)
 * @param createdBy the history's {@code created_by} (the container's command), or null
 * @param tags      references the new image gets
 */
public record CommitOptions(List<String> changes, String message, String author, String createdBy, List<String> tags) {

    public CommitOptions {
        changes = changes == null ? List.of() : List.copyOf(changes);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    public static CommitOptions defaults() {
        return new CommitOptions(List.of(), null, null, null, List.of());
    }

    public CommitOptions withChanges(List<String> c) {
        return new CommitOptions(c, message, author, createdBy, tags);
    }

    public CommitOptions withMessage(String m) {
        return new CommitOptions(changes, m, author, createdBy, tags);
    }

    public CommitOptions withAuthor(String a) {
        return new CommitOptions(changes, message, a, createdBy, tags);
    }

    public CommitOptions withCreatedBy(String c) {
        return new CommitOptions(changes, message, author, c, tags);
    }

    public CommitOptions withTags(String... t) {
        return new CommitOptions(changes, message, author, createdBy, List.of(t));
    }
}
