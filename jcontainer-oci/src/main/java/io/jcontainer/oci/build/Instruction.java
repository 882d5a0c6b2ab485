package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerfileException;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Duration;
import java.util.List;

/**
 * One Dockerfile instruction, typed. The parser yields them with their arguments as written
 * (quotes and variables unprocessed where docker expands them later); {@link Expander} yields
 * the same records with every expandable argument expanded, which is what the builder runs.
 */
public sealed interface Instruction {

    /** Where the instruction is: file, first line, and its text as written (continuations joined). */
    record Loc(String file, int line, String keyword, String text) {
        public DockerfileException error(String message) {
            return new DockerfileException(file, line, keyword, message);
        }
    }

    @JsonIgnore
    Loc loc();

    /** A command in shell form (one string, run by the SHELL) or exec form (JSON array). */
    record Command(List<String> args, boolean shellForm) {
        public Command {
            args = List.copyOf(args);
        }
    }

    /** A here-document: its delimiter name, content (with the final newline) and whether to expand it. */
    record Heredoc(String name, String content, boolean expand, boolean chomp) {
        /** The content with leading tabs removed from every line for {@code <<-}. */
        public String effectiveContent() {
            return chomp ? content.replaceAll("(?m)^\t+", "") : content;
        }
    }

    record KeyValue(String key, String value) {
    }

    /** {@code ARG name[=default]}; {@code value} is null when there is no default. */
    record ArgDecl(String name, String value) {
    }

    /** One {@code RUN --mount=…}. Unset fields are null (false for booleans). */
    record MountSpec(String type, String target, String source, String from, String id, String sharing,
                     boolean readOnly, String mode, Long uid, Long gid, Long size, boolean required, String env) {
    }

    record From(Loc loc, String image, String platform, String stageName) implements Instruction {
    }

    record Run(Loc loc, Command command, List<MountSpec> mounts, String network, String security,
               List<Heredoc> heredocs) implements Instruction {
        public Run {
            mounts = List.copyOf(mounts);
            heredocs = List.copyOf(heredocs);
        }
    }

    record Cmd(Loc loc, Command command) implements Instruction {
    }

    record Entrypoint(Loc loc, Command command) implements Instruction {
    }

    record Env(Loc loc, List<KeyValue> vars) implements Instruction {
        public Env {
            vars = List.copyOf(vars);
        }
    }

    record Arg(Loc loc, List<ArgDecl> args) implements Instruction {
        public Arg {
            args = List.copyOf(args);
        }
    }

    record Label(Loc loc, List<KeyValue> labels) implements Instruction {
        public Label {
            labels = List.copyOf(labels);
        }
    }

    record Expose(Loc loc, List<String> ports) implements Instruction {
        public Expose {
            ports = List.copyOf(ports);
        }
    }

    record Volume(Loc loc, List<String> paths) implements Instruction {
        public Volume {
            paths = List.copyOf(paths);
        }
    }

    record Workdir(Loc loc, String path) implements Instruction {
    }

    record User(Loc loc, String user) implements Instruction {
    }

    /**
     * {@code COPY}; {@code from} is a stage name/index or an image, or null for the context.
     * {@code heredocs} are inline sources ({@code COPY <<EOF /dest}).
     */
    record Copy(Loc loc, List<String> sources, String dest, List<Heredoc> heredocs, String from, String chown,
                String chmod, boolean link, List<String> excludes) implements Instruction {
        public Copy {
            sources = List.copyOf(sources);
            heredocs = List.copyOf(heredocs);
            excludes = List.copyOf(excludes);
        }
    }

    /** {@code ADD}: like COPY, plus URLs (with {@code --checksum}) and local tar extraction. */
    record Add(Loc loc, List<String> sources, String dest, List<Heredoc> heredocs, String checksum, String chown,
               String chmod, boolean link, List<String> excludes) implements Instruction {
        public Add {
            sources = List.copyOf(sources);
            heredocs = List.copyOf(heredocs);
            excludes = List.copyOf(excludes);
        }
    }

    record Shell(Loc loc, List<String> shell) implements Instruction {
        public Shell {
            shell = List.copyOf(shell);
        }
    }

    record StopSignal(Loc loc, String signal) implements Instruction {
    }

    /**
     * {@code HEALTHCHECK NONE} ({@code test} = {@code ["NONE"]}) or {@code HEALTHCHECK [opts] CMD …}
     * ({@code ["CMD", …]} or {@code ["CMD-SHELL", cmd]}), as the image config stores it; zero
     * durations and retries mean "inherit the default".
     */
    record Healthcheck(Loc loc, List<String> test, Duration interval, Duration timeout, Duration startPeriod,
                       Duration startInterval, int retries) implements Instruction {
        public Healthcheck {
            test = List.copyOf(test);
        }
    }

    /** {@code ONBUILD}: the trigger as written (stored in the image config) and parsed. */
    record Onbuild(Loc loc, String expression, Instruction trigger) implements Instruction {
    }

    record Maintainer(Loc loc, String name) implements Instruction {
    }
}
