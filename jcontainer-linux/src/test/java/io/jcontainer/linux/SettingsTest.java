package io.jcontainer.linux;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Configuration is read in one place: no main source of jcontainer-linux but {@link Settings}
 * reads a {@code jcontainer.*} property or the environment; and every setting is in the docs'
 * table.
 */
class SettingsTest {
    private static final Pattern READ = Pattern.compile(
            "System\\.getenv\\(|Boolean\\.getBoolean\\(|Integer\\.getInteger\\(|Long\\.getLong\\(|getProperty\\(\\s*\"jcontainer\\.");

    @Test
    void onlySettingsReadsConfiguration() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Path.of("src/main/java"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java") && !p.endsWith("io/jcontainer/linux/Settings.java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++)
                    if (READ.matcher(lines.get(i)).find()) offenders.add(f + ":" + (i + 1) + ": " + lines.get(i).trim());
            }
        }
        assertThat(offenders).as("configuration read outside io.jcontainer.linux.Settings").isEmpty();
    }

    @Test
    void everySettingIsDocumented() throws Exception {
        String docs = Files.readString(Path.of("../docs/architecture.md"));
        for (Field f : Settings.class.getFields())
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                assertThat(docs).as("docs/architecture.md's settings table names " + f.getName()).contains("`" + f.get(null) + "`");
    }
}
