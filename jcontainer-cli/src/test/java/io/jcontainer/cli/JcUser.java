package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ordinary user the rootless ITs run {@code ./jcontainer} as ({@code jcuser}, made when the
 * host lacks it), and that run: {@code setpriv} to its ids and groups, then {@code env -i} with
 * only what a login sets — as a person at a shell would start it, nothing of root's environment.
 */
record JcUser(int uid, int gid) {
    static final String NAME = "jcuser";

    static JcUser ensure() throws Exception {
        if (sh("id", "-u", NAME).code() != 0) assertThat(sh("useradd", "-m", "-s", "/bin/sh", NAME).code()).as("useradd").isZero();
        return new JcUser(Integer.parseInt(sh("id", "-u", NAME).out().strip()), Integer.parseInt(sh("id", "-g", NAME).out().strip()));
    }

    /**
     * {@code ./jcontainer ARGS} as this user with HOME, PATH, USER and LOGNAME, then {@code env}
     * ({@code NAME=value} each: XDG_RUNTIME_DIR, the store…); never built here (the IT's jar).
     */
    Result jcontainer(Path home, List<String> env, String... args) throws Exception {
        return sh(command(home, env, args).toArray(String[]::new));
    }

    /** The command line {@link #jcontainer} runs (to start it another way: in a namespace, in the background). */
    List<String> command(Path home, List<String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups", "env", "-i",
                "HOME=" + home, "PATH=/usr/bin:/bin", "USER=" + NAME, "LOGNAME=" + NAME,
                // loopback only unless a test says otherwise (a later NAME=value in env wins): the CLI's
                // own default is docker's (pasta for an ordinary user)
                "JCONTAINER_DEFAULT_NETWORK=none"));
        cmd.addAll(env);
        cmd.addAll(List.of("JCONTAINER_NO_BUILD=1", "JAVA_HOME=" + System.getProperty("java.home"),
                Path.of("..", "jcontainer").toAbsolutePath().normalize().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Result sh(String... cmd) throws Exception {
        return CliProcess.collect(new ProcessBuilder(cmd), String.join(" ", cmd));
    }
}
