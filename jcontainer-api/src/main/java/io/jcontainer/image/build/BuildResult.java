package io.jcontainer.image.build;

import java.util.List;

/**
 * A finished build: the image id ({@code sha256:…} of its config), the references it was tagged
 * with, and how many steps ran or came from the cache.
 */
public record BuildResult(String imageId, List<String> tags, int stepsRun, int stepsCached, List<String> warnings) {
    public BuildResult {
        tags = List.copyOf(tags);
        warnings = List.copyOf(warnings);
    }
}
