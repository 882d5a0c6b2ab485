package io.jcontainer.linux;

import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar as a modular application uses it: {@code java -p ... -m app/app.Main}, the
 * runtime found through the API's {@code uses}/{@code provides}, Jackson binding the store's
 * records through the packages opened to it alone, FFM granted to {@code io.jcontainer.linux}
 * by name. And what the module hides stays hidden: a consumer that imports an internal package
 * does not compile, and one that reaches it by reflection is refused at run time. (The module's
 * other tests run on the class path, where nothing is hidden.) After {@code package}: it needs
 * the jar.
 */
class ModulePathIT {
    private static String modulePath;

    @BeforeAll
    static void findTheJars() throws IOException {
        Path jar;
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            jar = s.filter(p -> p.getFileName().toString().matches("jcontainer-linux-.*(?<!-tests|-sources|-javadoc)\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no target/jcontainer-linux-*.jar: run after `package`"));
        }
        List<String> mp = new ArrayList<>();
        mp.add(jar.toAbsolutePath().toString());
        // the module's own dependencies, as failsafe put them on the class path: the API and the
        // OCI mapping (jars or, in a reactor build short of `package`, their classes: exploded
        // modules; not their test jars), Jackson, SLF4J, commons-compress and commons-io, Gson (oci-spec reads with it)
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator))
            if (!e.endsWith("-tests.jar") && e.matches(".*(jcontainer-(api|oci-spec)[^/]*\\.jar|jcontainer-(api|oci-spec)/target/classes/?"
                    + "|jackson-(core|databind|annotations)-[^/]*\\.jar|slf4j-(api|simple)-[^/]*\\.jar|commons-(compress|io|codec|lang3)-[^/]*\\.jar|gson-[^/]*\\.jar)"))
                mp.add(e);
        assertThat(mp).as("the module path").hasSizeGreaterThanOrEqualTo(10);
        modulePath = String.join(File.pathSeparator, mp);
    }

    @Test
    @RequiresRoot
    void aModularApplicationRunsAContainer(@TempDir Path tmp) throws Exception {
        Path out = compile(tmp, "app", """
                module app {
                    requires io.jcontainer;
                }
                """, "app.Main", """
                package app;

                import io.jcontainer.Container;
                import io.jcontainer.ContainerExit;
                import io.jcontainer.lifecycle.Containers;
                import io.jcontainer.lifecycle.LogOptions;
                import io.jcontainer.lifecycle.WaitCondition;
                import io.jcontainer.spi.ContainerRuntime;

                import java.io.ByteArrayOutputStream;
                import java.nio.file.Path;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        ContainerRuntime runtime = ContainerRuntime.get();
                        System.out.println("runtime module: " + runtime.getClass().getModule().getName());
                        try (Container c = Container.builder().command("/bin/sh", "-c", "echo hello from a module").start()) {
                            System.out.print(new String(c.stdout().readAllBytes()));
                            ContainerExit exit = c.waitFor();
                            System.out.println("exit: " + exit.code());
                        }
                        // a recorded container: the store's records go through Jackson
                        Containers containers = runtime.containers(Path.of(args[0]));
                        String id = containers.run(Container.builder().name("modular").detached(true).command("/bin/sh", "-c", "echo recorded").build(), false);
                        containers.wait(id, WaitCondition.NOT_RUNNING);
                        ByteArrayOutputStream log = new ByteArrayOutputStream();
                        containers.logs("modular", LogOptions.ALL, log, log);
                        System.out.print("log: " + log);
                        System.out.println("status: " + containers.find("modular").status().docker());
                        containers.remove(id, true, true);
                        System.out.println("left: " + containers.list(io.jcontainer.lifecycle.ListQuery.ALL).size());
                        try {
                            Class.forName("io.jcontainer.linux.sys.NativeSyscalls").getField("INSTANCE").get(null);
                            System.out.println("internal: reachable");
                        } catch (IllegalAccessException e) {
                            System.out.println("internal: refused");
                        }
                    }
                }
                """);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=io.jcontainer.linux", "-p", modulePath + File.pathSeparator + out, "-m", "app/app.Main",
                tmp.resolve("store").toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output;
        try (var in = p.getInputStream()) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the app finished").isTrue();
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("runtime module: io.jcontainer.linux", "hello from a module", "exit: 0",
                "log: recorded", "status: exited", "left: 0", "internal: refused");
        // FFM granted by module name: the JDK warns about no restricted method
        assertThat(output).doesNotContain("WARNING");
    }

    @Test
    void theExportedPackageCompiles(@TempDir Path tmp) throws Exception {
        compile(tmp, "user", """
                module user {
                    requires io.jcontainer.linux;
                }
                """, "user.Main", """
                package user;

                import io.jcontainer.linux.ContainerPool;
                import io.jcontainer.linux.LinuxContainerRuntime;

                public class Main {
                    public static void main(String[] args) {
                        LinuxContainerRuntime r = new LinuxContainerRuntime();
                        System.out.println(r + " " + ContainerPool.class);
                    }
                }
                """);
    }

    @Test
    void anInternalPackageDoesNotCompile(@TempDir Path tmp) {
        for (String internal : List.of("io.jcontainer.linux.sys.Syscalls", "io.jcontainer.linux.plan.PlanCompiler",
                "io.jcontainer.linux.state.ContainerStore", "io.jcontainer.linux.cgroup.CgroupManager")) {
            String pkg = internal.substring(0, internal.lastIndexOf('.'));
            assertThat(compileErrors(tmp.resolve(pkg), "user", """
                    module user {
                        requires io.jcontainer.linux;
                    }
                    """, "user.Main", "package user;\n\nimport " + internal + ";\n\npublic class Main {\n}\n"))
                    .as(internal).contains("package " + pkg + " is not visible");
        }
    }

    private static Path compile(Path tmp, String module, String moduleInfo, String mainClass, String main) throws IOException {
        String errors = compileErrors(tmp, module, moduleInfo, mainClass, main);
        assertThat(errors).as("javac").isEmpty();
        return tmp.resolve("out");
    }

    /** javac's diagnostics for a one-class module compiled against the module path; "" when it compiled. */
    private static String compileErrors(Path tmp, String module, String moduleInfo, String mainClass, String main) {
        try {
            Path src = tmp.resolve("src");
            Path mainFile = src.resolve(mainClass.replace('.', '/') + ".java");
            Files.createDirectories(mainFile.getParent());
            Files.writeString(src.resolve("module-info.java"), moduleInfo);
            Files.writeString(mainFile, main);
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int rc = javac.run(null, err, err, "-p", modulePath, "-d", tmp.resolve("out").toString(),
                    src.resolve("module-info.java").toString(), mainFile.toString());
            String text = err.toString(StandardCharsets.UTF_8);
            return rc == 0 ? "" : (text.isEmpty() ? "javac failed (" + rc + ")" : text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
