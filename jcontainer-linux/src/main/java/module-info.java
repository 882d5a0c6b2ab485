/**
 * The Linux runtime. Users code against {@code io.jcontainer} (the API) and get this module's
 * runtime through {@link java.util.ServiceLoader} ({@code ContainerRuntime.get()}); the one
 * exported package holds the runtime class and its opt-in extras ({@code ContainerPool},
 * {@code LinuxContainerRuntime.logLimits}, {@code create}/{@code startCreated}). Everything else
 * — the syscall seam, the plan compiler and its wire format, cgroups, networking, the store — is
 * internal: a modular application cannot compile against it and is refused at run time
 * ({@code ModulePathIT}). On the class path (the benchmarks, and every module's tests) nothing is
 * hidden; that is what the class path is.
 *
 * <p>FFM calls here are restricted: run with {@code --enable-native-access=io.jcontainer.linux}
 * on the module path (on the class path the jar's manifest grants ALL-UNNAMED).
 *
 * <p>Jackson binds the records of the store, networks, hooks, seccomp profiles and created
 * containers by reflection: those packages are open to Jackson alone.
 */
module io.jcontainer.linux {
    requires org.apache.commons.compress; // tar streams of cp and the archive endpoints
    requires org.apache.commons.io;
    requires transitive io.jcontainer;
    requires io.jcontainer.oci.spec;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports io.jcontainer.linux;

    opens io.jcontainer.linux to com.fasterxml.jackson.databind;
    opens io.jcontainer.linux.state to com.fasterxml.jackson.databind;
    opens io.jcontainer.linux.net to com.fasterxml.jackson.databind;
    opens io.jcontainer.linux.hooks to com.fasterxml.jackson.databind;
    opens io.jcontainer.linux.seccomp to com.fasterxml.jackson.databind;

    provides io.jcontainer.spi.ContainerRuntime with io.jcontainer.linux.LinuxContainerRuntime;
}
