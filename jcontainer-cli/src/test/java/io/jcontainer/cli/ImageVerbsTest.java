package io.jcontainer.cli;

import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.TestImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.jcontainer.cli.CliHarness.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image verbs end to end against a real registry (docker-registry on 127.0.0.1), in this JVM
 * with the store under a temporary directory (system property jcontainer.storage).
 */
class ImageVerbsTest {
    @TempDir
    Path tmp;
    LocalRegistry registry;
    String previous;

    @BeforeEach
    void setUp() throws Exception {
        previous = System.getProperty("jcontainer.storage");
        System.setProperty("jcontainer.storage", tmp.resolve("store").toString());
        registry = LocalRegistry.start();
    }

    @AfterEach
    void tearDown() {
        registry.close();
        if (previous == null) System.clearProperty("jcontainer.storage");
        else System.setProperty("jcontainer.storage", previous);
    }

    @Test
    void loadPushPullImagesTagHistoryInspectSaveRmiPrune() throws Exception {
        var image = TestImage.busybox("cli");
        String ref = registry.host() + "/cli/busybox:1";
        Path archive = image.writeArchive(tmp.resolve("in.tar"), ref);

        var load = cli("load", "-i", archive.toString());
        assertThat(load.code()).as(load.toString()).isZero();
        assertThat(load.out()).isEqualTo("Loaded image: " + ref + "\n");

        var push = cli("push", ref);
        assertThat(push.code()).as(push.toString()).isZero();
        assertThat(push.out()).startsWith("The push refers to repository [" + registry.host() + "/cli/busybox]")
                .contains(": Pushed").contains("1: digest: " + image.manifest.digest());

        var search = cli("search", registry.host() + "/busy");
        assertThat(search.out()).as(search.toString()).startsWith("NAME").contains(registry.host() + "/cli/busybox");
        assertThat(cli("search", "--format", "{{.Name}}", registry.host() + "/nothing-like-it").out()).isEmpty();
        var df = cli("system", "df");
        assertThat(df.out()).as(df.toString()).startsWith("TYPE").containsPattern("Images +1 ").contains("Containers");

        var rmi = cli("rmi", ref);
        assertThat(rmi.out()).isEqualTo("Untagged: " + ref + "\nDeleted: " + image.config.digest() + "\n");
        assertThat(cli("images", "-q").out()).isEmpty();

        var pull = cli("pull", ref);
        assertThat(pull.code()).as(pull.toString()).isZero();
        assertThat(pull.out()).startsWith("1: Pulling from cli/busybox\n").contains(": Pull complete\n")
                .contains("Digest: " + image.manifest.digest() + "\n")
                .contains("Status: Downloaded newer image for " + ref + "\n").endsWith(ref + "\n");
        assertThat(cli("pull", ref).out()).contains("Already exists").contains("Status: Image is up to date for " + ref);

        assertThat(cli("images", "-q").out()).isEqualTo(image.config.digest().hex().substring(0, 12) + "\n");
        assertThat(cli("images", "-q", "--no-trunc").out()).isEqualTo(image.config.digest() + "\n");
        var images = cli("images", "--digests");
        assertThat(images.out()).startsWith("REPOSITORY").contains("DIGEST").contains(registry.host() + "/cli/busybox")
                .contains(image.manifest.digest().toString());

        assertThat(cli("tag", ref, "example.com/x:2").code()).isZero();
        assertThat(cli("images", "-a").out()).contains("example.com/x").contains("2");
        assertThat(cli("image", "inspect", "example.com/x:2").out()).contains("\"Id\" : \"" + image.config.digest() + "\"")
                .contains("\"Entrypoint\" : [ \"/bin/sh\" ]").contains("\"StopSignal\" : \"SIGQUIT\"");
        assertThat(cli("history", ref).out()).startsWith("IMAGE").contains("test layer 3");

        Path saved = tmp.resolve("saved.tar");
        assertThat(cli("save", "-o", saved.toString(), ref).code()).isZero();
        assertThat(saved).isNotEmptyFile();
        assertThat(cli("image", "rm", "example.com/x:2").out()).isEqualTo("Untagged: example.com/x:2\n");
        assertThat(cli("rmi", "nope:1").code()).isEqualTo(1);
        assertThat(cli("image", "prune", "-a", "-f").out()).contains("deleted: " + image.config.digest());
        try (var blobs = Files.list(tmp.resolve("store/blobs/sha256"))) {
            assertThat(blobs.toList()).isEmpty();
        }
        assertThat(cli("load", "-i", saved.toString()).out()).isEqualTo("Loaded image: " + ref + "\n");
    }

    @Test
    @io.jcontainer.linux.testing.RequiresRoot
    void runImagePullsWhenMissingAndUsesItsEntrypoint() throws Exception {
        var image = TestImage.busybox("from run IMAGE");
        String ref = registry.host() + "/cli/run:1";
        Path archive = image.writeArchive(tmp.resolve("in.tar"), ref);
        assertThat(cli("load", "-i", archive.toString()).code()).isZero();
        assertThat(cli("push", ref).code()).isZero();
        assertThat(cli("rmi", ref).code()).isZero();
        var run = cli("run", "--rm", ref);                                   // Entrypoint + Cmd, pulled
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("from run IMAGE");
        var write = cli("run", "--rm", ref, "-c", "echo x > /x; cat /x");      // a writable root, as docker's
        assertThat(write.out()).as(write.toString()).isEqualTo("x\n");
        // renamed away at close and removed by the runtime's remover thread (OverlayUpper.removeIfOwnedLater)
        long until = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (var uppers = Files.list(tmp.resolve("store/containers"))) {
                // upper/work pairs made ahead for this JVM's next starts (gone at its exit) are not leftovers
                var left = uppers.filter(p -> !p.getFileName().toString().startsWith(".ready-")).toList();
                if (left.isEmpty()) break;
                if (System.nanoTime() > until) assertThat(left).as("the upper goes with the container").isEmpty();
            }
            Thread.sleep(20);
        }
        var args = cli("run", "--rm", ref, "-c", "echo $GREETING");           // ARGs replace Cmd only
        assertThat(args.code()).as(args.toString()).isZero();
        assertThat(args.out()).isEqualTo("hello\n");
        // the image's User (0:0), Env and WorkingDir (/tmp) are defaults: -u, -e and -w win, as docker's
        var flags = cli("run", "--rm", "-u", "1000:1000", "-e", "GREETING=flag", "-w", "/etc", ref, "-c",
                "/bin/busybox id -u; /bin/busybox id -g; echo $GREETING; /bin/busybox pwd");
        assertThat(flags.code()).as(flags.toString()).isZero();
        assertThat(flags.out()).isEqualTo("1000\n1000\nflag\n/etc\n");

        // --entrypoint replaces the image's and drops its Cmd; '' clears it (the arguments are then the command)
        var ep = cli("run", "--rm", "--entrypoint", "/bin/echo", ref, "replaced");
        assertThat(ep.out()).as(ep.toString()).isEqualTo("replaced\n");
        var cleared = cli("run", "--rm", "--entrypoint", "", ref, "/bin/echo", "no", "entrypoint");
        assertThat(cleared.out()).as(cleared.toString()).isEqualTo("no entrypoint\n");
        var nothing = cli("run", "--rm", "--entrypoint", "", ref);
        assertThat(nothing.code()).isEqualTo(125);
        assertThat(nothing.err()).contains("No command specified");

        // --pull: never refuses what is not stored, always fetches again, anything else is a usage error
        String absent = registry.host() + "/cli/absent:1";
        var never = cli("run", "--rm", "--pull", "never", absent);
        assertThat(never.code()).isEqualTo(125);
        assertThat(never.err()).contains("No such image: " + absent);
        assertThat(cli("run", "--rm", "--pull", "never", ref).out()).isEqualTo("from run IMAGE");
        assertThat(cli("rmi", ref).code()).isZero();
        var always = cli("run", "--rm", "--pull", "always", ref);
        assertThat(always.out()).as(always.toString()).isEqualTo("from run IMAGE");
        assertThat(cli("run", "--rm", "--pull", "sometimes", ref).err())
                .contains("invalid pull option: 'sometimes': must be one of \"always\", \"missing\" or \"never\"");
    }

    @Test
    void helpAndUsageErrors() {
        assertThat(cli("--help").out()).contains("  pull ").contains("  images ").contains("  rmi ").contains("  image ");
        assertThat(cli("pull").code()).isEqualTo(125);
        assertThat(cli("pull", "Bad:Ref").err()).contains("invalid image reference");
        assertThat(cli("image", "nope").err()).contains("'image nope' is not a jcontainer command");
    }
}
