package io.jcontainer.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Docker's (pflag's) command-line grammar, without starting anything. */
class FlagsTest {
    private Flags.Parsed parse(String... args) {
        return new RunCommand().flags().parse(List.of(args), false);
    }

    @Test
    void everySpellingOfAValueFlag() {
        var p = parse("-e", "A=1", "--env=B=2", "-eC=3", "-e=D=4", "--env", "E=5", "img");
        assertThat(p.values("env")).containsExactly("A=1", "B=2", "C=3", "D=4", "E=5");
        assertThat(p.positionals()).containsExactly("img");
    }

    @Test
    void combinedShortFlags() {
        var p = parse("-it", "img");
        assertThat(p.bool("interactive")).isTrue();
        assertThat(p.bool("tty")).isTrue();
        // in a group, a value flag takes the rest of the group, or the next argument
        p = parse("-ie", "K=V", "-iw/tmp", "img");
        assertThat(p.values("env")).containsExactly("K=V");
        assertThat(p.value("workdir")).isEqualTo("/tmp");
    }

    @Test
    void booleansTakeAnOptionalValue() {
        assertThat(parse("--rm", "x").bool("rm")).isTrue();
        assertThat(parse("--rm=false", "x").bool("rm")).isFalse();
        assertThat(parse("-i=false", "x").bool("interactive")).isFalse();
        assertThatThrownBy(() -> parse("--rm=maybe", "x")).isInstanceOf(UsageException.class)
                .hasMessageContaining("invalid argument \"maybe\"");
    }

    @Test
    void theFirstArgumentEndsTheOptions() {
        var p = parse("--rm", "sh", "-c", "ls -l", "--rm", "-e", "X=1");
        assertThat(p.positionals()).containsExactly("sh", "-c", "ls -l", "--rm", "-e", "X=1");
        assertThat(p.has("env")).isFalse();
    }

    @Test
    void doubleDashEndsTheOptions() {
        var p = parse("-i", "--", "-weird-command", "--rm");
        assertThat(p.positionals()).containsExactly("-weird-command", "--rm");
        assertThat(p.bool("rm")).isFalse();
    }

    @Test
    void aliasesShareOneKey() {
        assertThat(parse("--net", "host", "x").value("network")).isEqualTo("host");
        assertThat(parse("--network=none", "x").value("network")).isEqualTo("none");
    }

    /** An alias replaces its flag where it stood in the list help prints, not beside it. */
    @Test
    void anAliasReplacesItsFlagInPlace() {
        Flags f = new Flags().value("network", (char) 0, "string", "Connect").bool("rm", (char) 0, "Remove")
                .alias("net", "network").alias("nw", "network");
        assertThat(f.all()).extracting(Flags.Flag::name).containsExactly("help", "network", "rm");
        assertThat(f.all().get(1).aliases()).containsExactly("net", "nw");
    }

    @Test
    void unknownAndIncompleteFlagsAreUsageErrors() {
        assertThatThrownBy(() -> parse("--nope", "x")).isInstanceOf(UsageException.class).hasMessage("unknown flag: --nope");
        assertThatThrownBy(() -> parse("-iZ", "x")).isInstanceOf(UsageException.class).hasMessage("unknown shorthand flag: 'Z' in -iZ");
        assertThatThrownBy(() -> parse("-e")).isInstanceOf(UsageException.class).hasMessage("flag needs an argument: 'e' in -e");
        assertThatThrownBy(() -> parse("--name")).isInstanceOf(UsageException.class).hasMessage("flag needs an argument: --name");
    }

    @Test
    void knownDockerFlagsWithoutSupportSaySo() {
        assertThatThrownBy(() -> parse("--gpus", "all", "x")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--gpus is not supported yet");
    }

    @Test
    void interspersedVerbsAcceptFlagsAfterArguments() {
        var p = new Flags().bool("all", 'a', "").parse(List.of("x", "-a", "y"), true);
        assertThat(p.positionals()).containsExactly("x", "y");
        assertThat(p.bool("all")).isTrue();
    }

    @Test
    void helpListsSupportedFlagsAndNamesTheOthers() {
        String help = new RunCommand().flags().help();
        assertThat(help).contains("-e, --env list").contains("--network, --net network").contains("-m, --memory bytes");
        assertThat(help).contains("Recognised but not supported yet:").contains("--gpus");
    }
}
