/**
 * OCI runtime-spec {@code config.json} both ways: the JSON tree, the mapping onto the API's
 * {@code ContainerSpec}, a record's {@code config.json} + extras. A module because the runtime
 * module ({@code io.jcontainer.linux}) records containers with it. Jackson's tree model only:
 * nothing here is bound by reflection, so nothing is opened.
 */
module io.jcontainer.oci.spec {
    requires transitive io.jcontainer;
    requires transitive com.fasterxml.jackson.databind;
    requires com.google.gson; // its streaming reader only (JsonTrees.Plain)

    exports io.jcontainer.oci.runtime;
}
