package io.jcontainer.runc;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jcontainer.runc.Flags.Def.bool;
import static io.jcontainer.runc.Flags.Def.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Go's flag spellings, as engines pass them to runc. */
class FlagsTest {
    static final List<Flags.Def> DEFS = List.of(value("bundle", "b"), bool("detach", "d"), value("pid-file"));

    @Test
    void goStyleSpellings() {
        for (List<String> argv : List.of(
                List.of("--bundle", "/b", "--detach", "--pid-file=/p", "id"),
                List.of("-bundle", "/b", "-d", "-pid-file", "/p", "id"),
                List.of("-b=/b", "--detach=true", "--pid-file", "/p", "id"),
                List.of("id", "-b", "/b", "-d", "-pid-file=/p"))) {
            Flags f = Flags.parse(argv, DEFS, false);
            assertThat(f.value("bundle", null)).as(argv.toString()).isEqualTo("/b");
            assertThat(f.bool("detach")).isTrue();
            assertThat(f.value("pid-file", null)).isEqualTo("/p");
            assertThat(f.args).containsExactly("id");
        }
    }

    @Test
    void globalFlagsStopAtTheCommand() {
        Flags f = Flags.parse(List.of("--root", "/r", "-log-format", "json", "run", "-b", "x", "id"),
                List.of(value("root"), value("log-format")), true);
        assertThat(f.value("root", null)).isEqualTo("/r");
        assertThat(f.args).containsExactly("run", "-b", "x", "id");
    }

    @Test
    void doubleDashEndsFlagsAndFalseBooleansAreFalse() {
        Flags f = Flags.parse(List.of("--detach=false", "--", "-d"), DEFS, false);
        assertThat(f.bool("detach")).isFalse();
        assertThat(f.args).containsExactly("-d");
    }

    @Test
    void runcsWordingForBadFlags() {
        assertThatThrownBy(() -> Flags.parse(List.of("--nope"), DEFS, false)).hasMessage("flag provided but not defined: -nope");
        assertThatThrownBy(() -> Flags.parse(List.of("--bundle"), DEFS, false)).hasMessage("flag needs an argument: -bundle");
        assertThatThrownBy(() -> Flags.parse(List.of("-d=maybe"), DEFS, false)).hasMessageContaining("invalid boolean value \"maybe\"");
    }
}
