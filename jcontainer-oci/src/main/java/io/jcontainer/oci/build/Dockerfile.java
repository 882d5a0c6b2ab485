package io.jcontainer.oci.build;

import java.util.List;
import java.util.Optional;

/**
 * A parsed Dockerfile: the escape character its directive chose, the {@code ARG}s before the
 * first {@code FROM} (the global scope, usable in {@code FROM} lines), and its stages in order.
 */
public record Dockerfile(String file, char escape, List<Instruction.Arg> metaArgs, List<Stage> stages) {

    public Dockerfile {
        metaArgs = List.copyOf(metaArgs);
        stages = List.copyOf(stages);
    }

    /**
     * One build stage: a {@code FROM} and what follows up to the next one. {@code name} is the
     * lower-cased {@code AS} name, or null.
     */
    public record Stage(int index, String name, Instruction.From from, List<Instruction> instructions) {
        public Stage {
            instructions = List.copyOf(instructions);
        }

        /** The name, or the index as docker accepts it in {@code COPY --from} and {@code --target}. */
        public String displayName() {
            return name != null ? name : String.valueOf(index);
        }
    }

    /** The stage {@code ref} names (a name, case-insensitive, or an index), if any. */
    public Optional<Stage> stage(String ref) {
        for (Stage s : stages) if (s.name() != null && s.name().equalsIgnoreCase(ref)) return Optional.of(s);
        if (ref.matches("[0-9]{1,9}")) {
            int i = Integer.parseInt(ref);
            if (i < stages.size()) return Optional.of(stages.get(i));
        }
        return Optional.empty();
    }
}
