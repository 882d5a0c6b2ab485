package io.jcontainer.linux.lifecycle;

import io.jcontainer.lifecycle.EventQuery;
import io.jcontainer.spi.ContainerRuntime;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A second process following the event journal, as {@code docker events} would:
 * {@code EventFollower STORE-DIR SINCE NAME} prints "ACTION ATTR=VALUE..." for each event of
 * container NAME, flushed, and exits after {@code destroy}.
 */
public final class EventFollower {
    public static void main(String[] args) throws Exception {
        var containers = ContainerRuntime.get().containers(Path.of(args[0]));
        containers.events(new EventQuery(Instant.parse(args[1]), null, Map.of("container", List.of(args[2]))), e -> {
            StringBuilder b = new StringBuilder(e.action());
            e.attributes().forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
            System.out.println(b);
            System.out.flush();
            return !e.action().equals("destroy");
        });
    }

    static Process start(Path store, Instant since, String name) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",  "-cp", System.getProperty("java.class.path"),
                EventFollower.class.getName(), store.toString(), since.toString(), name)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
