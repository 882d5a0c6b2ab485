package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerfileException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Duration;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden pairs: {@code src/test/resources/dockerfiles/NAME.Dockerfile} (with optional
 * {@code NAME.args}, one build arg a line) is parsed and expanded stage by stage (from an empty
 * base environment); the rendering must equal {@code NAME.expected}. Each pair exercises rules of
 * the Dockerfile reference named in its first comment. {@code -Dgolden.update=true} rewrites the
 * expected files (review the diff: they are the specification).
 */
class DockerfileGoldenTest {
    static final Path DIR = Path.of("src/test/resources/dockerfiles");
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new SimpleModule().addSerializer(Duration.class, ToStringSerializer.instance))
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    @TestFactory
    Stream<DynamicTest> golden() throws IOException {
        List<Path> cases;
        try (var s = Files.list(DIR)) {
            cases = s.filter(p -> p.toString().endsWith(".Dockerfile")).sorted().toList();
        }
        assertThat(cases).hasSizeGreaterThan(10);
        return cases.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
    }

    private void check(Path dockerfile) throws IOException {
        String name = dockerfile.getFileName().toString().replace(".Dockerfile", "");
        Path argsFile = DIR.resolve(name + ".args");
        Map<String, String> args = new LinkedHashMap<>();
        if (Files.exists(argsFile))
            for (String l : Files.readAllLines(argsFile)) {
                if (l.isBlank()) continue;
                int eq = l.indexOf('=');
                args.put(l.substring(0, eq), l.substring(eq + 1));
            }
        String actual = render("Dockerfile", Files.readString(dockerfile, StandardCharsets.UTF_8), args);
        Path expected = DIR.resolve(name + ".expected");
        if (Boolean.getBoolean("golden.update") || !Files.exists(expected)) {
            Files.writeString(expected, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
    }

    static String render(String file, String text, Map<String, String> args) {
        StringBuilder out = new StringBuilder();
        try {
            Dockerfile df = DockerfileParser.parse(file, text);
            out.append("escape ").append(df.escape()).append('\n');
            Expander ex = new Expander(df, args, Map.of("TARGETPLATFORM", "linux/amd64", "TARGETOS", "linux", "TARGETARCH", "amd64"));
            ex.metaArgs().forEach((k, v) -> {
                if (!k.startsWith("TARGET")) out.append("meta ").append(k).append('=').append(v).append('\n');
            });
            for (Dockerfile.Stage st : df.stages()) {
                Instruction.From f = ex.from(st.from());
                out.append("stage ").append(st.index()).append(" name=").append(st.name()).append(" line=")
                        .append(f.loc().line()).append(" image=").append(f.image());
                if (f.platform() != null) out.append(" platform=").append(f.platform());
                out.append('\n');
                Expander.Scope scope = ex.stage(List.of());
                for (Instruction ins : st.instructions()) {
                    Instruction e = scope.expand(ins);
                    out.append("  ").append(ins.loc().line()).append(' ').append(ins.loc().keyword()).append(' ')
                            .append(JSON.writeValueAsString(e)).append('\n');
                }
                out.append("  env ").append(scope.env()).append(" runArgs ").append(scope.runArgs()).append('\n');
            }
            if (!ex.unconsumedBuildArgs().isEmpty()) out.append("unconsumed ").append(ex.unconsumedBuildArgs()).append('\n');
        } catch (DockerfileException e) {
            out.append("error: ").append(e.getMessage()).append('\n');
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toString();
    }
}
