package io.jcontainer.cli;

import org.junit.jupiter.api.Test;

import static io.jcontainer.cli.CliHarness.cli;
import static org.assertj.core.api.Assertions.assertThat;

/** What the CLI answers before any container starts: help, usage errors, host facts. No root needed. */
class CliTest {

    @Test
    void topLevelHelpListsTheVerbs() {
        for (var r : new CliHarness.Result[]{cli(), cli("--help"), cli("help")}) {
            assertThat(r.code()).isZero();
            assertThat(r.out()).startsWith("Usage:  jcontainer [OPTIONS] COMMAND").contains("  run ").contains("  info ").contains("  version ");
        }
    }

    @Test
    void runHelpListsItsFlags() {
        for (var r : new CliHarness.Result[]{cli("run", "--help"), cli("help", "run")}) {
            assertThat(r.code()).isZero();
            assertThat(r.out()).startsWith("Usage:  jcontainer run [OPTIONS]").contains("--read-only").contains("-v, --volume list");
        }
        assertThat(cli("info", "--help").out()).startsWith("Usage:  jcontainer info");
        assertThat(cli("version", "--help").out()).startsWith("Usage:  jcontainer version");
    }

    @Test
    void onlyTheServiceKeepsReadyNetworkEndpoints() {
        assertThat(Cli.servesApi(new String[]{"serve"})).isTrue();
        assertThat(Cli.servesApi(new String[]{"--debug", "system", "service", "--host", "unix:///tmp/x.sock"})).isTrue();
        assertThat(Cli.servesApi(new String[]{"run", "--rm", "img"})).isFalse();
        assertThat(Cli.servesApi(new String[]{"system", "df"})).isFalse();
        assertThat(Cli.servesApi(new String[]{})).isFalse();
    }

    @Test
    void unknownFlagIs125WithAPointerToHelp() {
        var r = cli("run", "--no-such-flag", "echo", "hi");
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).isEqualTo("jcontainer: unknown flag: --no-such-flag\nSee 'jcontainer run --help'.\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badValuesAre125NamingTheFlag() {
        var r = cli("run", "-m", "lots", "echo", "hi");
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).startsWith("jcontainer: invalid argument \"lots\" for \"--memory\" flag:").endsWith("See 'jcontainer run --help'.\n");
        assertThat(cli("run", "--cpus", "many", "echo").code()).isEqualTo(125);
        assertThat(cli("run", "--ulimit", "nofile", "echo").code()).isEqualTo(125);
        assertThat(cli("run", "-v", "./relative:/x", "echo").err()).contains("not an absolute host path"); // a bare word is a volume name
        assertThat(cli("run", "--cap-add", "NOT_A_CAP", "echo").err()).contains("unknown capability");
        assertThat(cli("run", "-w", "relative", "echo").err()).contains("--workdir");
        assertThat(cli("run", "--uidmap", "0:1", "echo").code()).isEqualTo(125);
        assertThat(cli("run", "--tmpfs", "/x:suid", "echo").err()).contains("unsupported option 'suid'");
        // refused here, not by the kernel (issue 19, item 7)
        var inf = cli("run", "--cpus=Infinity", "echo");
        assertThat(inf.code()).isEqualTo(125);
        assertThat(inf.err()).contains("--cpus").contains("finite");
        var env = cli("run", "-e", "", "echo");
        assertThat(env.code()).isEqualTo(125);
        assertThat(env.err()).contains("invalid environment variable");
        assertThat(cli("run", "-e", "=x", "echo").code()).isEqualTo(125);
    }

    /** The runtime's messages name the builder's setters; the CLI shows the flags instead (issue 18). */
    @Test
    void runtimeMessagesNameFlagsNotJavaMethods() {
        assertThat(Cli.inCliTerms("uid 1000 is not mapped (uid map: 0 1001 1); map it with uidMap(...), or run as root inside"))
                .isEqualTo("uid 1000 is not mapped (uid map: 0 1001 1); map it with --uidmap, or run as root inside");
        assertThat(Cli.inCliTerms("map it with gidMap(...)")).isEqualTo("map it with --gidmap");
    }

    @Test
    void notYetSupportedModesAre125WithAClearMessage() {
        // -d -t works now (AttachIT)
        // (no test here may touch the host's network: an unknown network and a conflict are refused before anything is made)
        var unknown = cli("run", "--network", "nosuchnet", "echo");
        assertThat(unknown.code()).isEqualTo(125);
        assertThat(unknown.err()).contains("network nosuchnet not found");
        var conflict = cli("run", "-p", "80:80", "--network", "none", "echo");
        assertThat(conflict.code()).isEqualTo(125);
        assertThat(conflict.err()).contains("conflicting options: --publish and the network mode none");
    }

    @Test
    void anUnreachableRegistryIs125NamingIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path store) {
        // an image reference is pulled when missing; port 1 on loopback refuses (no internet
        // needed); the store goes to a temporary directory, not the host's /var/lib/jcontainer
        String previous = System.getProperty("jcontainer.storage");
        System.setProperty("jcontainer.storage", store.toString());
        try {
            var r = cli("run", "127.0.0.1:1/nothing:1", "sh");
            assertThat(r.code()).isEqualTo(125);
            assertThat(r.err()).contains("127.0.0.1:1");
        } finally {
            if (previous == null) System.clearProperty("jcontainer.storage");
            else System.setProperty("jcontainer.storage", previous);
        }
    }

    @Test
    void aCommandIsRequired() {
        var r = cli("run");
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).startsWith("jcontainer: \"run\" requires at least 1 argument.");
        r = cli("run", "--rootfs", "/");
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).isEqualTo("jcontainer: no command specified\n");
        assertThat(cli("run", "--rootfs", "/no/such/dir", "sh").err()).contains("not a directory");
    }

    @Test
    void unknownVerb() {
        var r = cli("frobnicate");
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).isEqualTo("jcontainer: 'frobnicate' is not a jcontainer command.\nSee 'jcontainer --help'.\n");
    }

    @Test
    void versionAndInfo() {
        var v = cli("version");
        assertThat(v.code()).isZero();
        assertThat(v.out()).startsWith("jcontainer version 0.");
        assertThat(cli("--version").out()).isEqualTo(v.out());
        var i = cli("info");
        assertThat(i.code()).isZero();
        assertThat(i.out()).contains("Kernel:").contains("Cgroups:").contains("User namespaces:").contains("Seccomp:")
                .containsPattern("Launcher: +linux-(x86_64|aarch64) \\(embedded: ");
    }
}
