/**
 * The jcontainer API: immutable specs, the lifecycle interfaces, exceptions — what users code
 * against. The runtime ({@code io.jcontainer.linux}) and the image support (jcontainer-oci) are
 * found through {@link java.util.ServiceLoader}, hence the {@code uses}.
 *
 * <p>The spec's records are read and written by Jackson in the runtime (a recorded container's
 * {@code spec.json}), in jcontainer-oci and in the CLI: Jackson binds records by reflection, so the
 * model's packages are open to it — to it only. The API itself does not read Jackson.
 */
module io.jcontainer {
    exports io.jcontainer;
    exports io.jcontainer.lifecycle;
    exports io.jcontainer.image;
    exports io.jcontainer.image.build;
    exports io.jcontainer.spi;
    exports io.jcontainer.image.spi;
    exports io.jcontainer.image.build.spi;

    opens io.jcontainer to com.fasterxml.jackson.databind;
    opens io.jcontainer.lifecycle to com.fasterxml.jackson.databind;
    opens io.jcontainer.image to com.fasterxml.jackson.databind;
    opens io.jcontainer.image.build to com.fasterxml.jackson.databind;

    uses io.jcontainer.spi.ContainerRuntime;
    uses io.jcontainer.image.spi.ImagesProvider;
    uses io.jcontainer.image.build.spi.ImageBuilderProvider;
}
