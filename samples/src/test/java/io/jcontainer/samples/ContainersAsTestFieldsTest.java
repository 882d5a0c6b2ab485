package io.jcontainer.samples;

import io.jcontainer.Container;
import io.jcontainer.DataSize;
import io.jcontainer.Namespace;
import io.jcontainer.junit.ExecResult;
import io.jcontainer.junit.Sandbox;
import io.jcontainer.junit.TestContainer;
import io.jcontainer.junit.Wait;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample for the JUnit 5 extension (module {@code jcontainer-junit}): containers declared as
 * fields, started and removed by JUnit — a server shared by the class, a scratch container per
 * test — in this JVM, with no daemon. A failing test would show both containers' last output.
 */
@RequiresRoot
class ContainersAsTestFieldsTest {
    /** One web server for the whole class, in a network namespace of its own; ready once it listens. */
    @Sandbox
    static final TestContainer web = TestContainer.of(Container.builder()
            .namespaces(Namespace.PID, Namespace.NET, Namespace.MNT, Namespace.UTS, Namespace.IPC)
            .memoryLimit(DataSize.MB(64))
            .command("sh", "-c", "mkdir -p /tmp/www && echo '<h1>hi</h1>' > /tmp/www/index.html"
                    + " && exec busybox httpd -f -v -p 8080 -h /tmp/www"))
            .waitingFor(Wait.forListeningPort(8080));

    /** A fresh container for each test: what one test writes, the next does not see. */
    @Sandbox
    final TestContainer scratch = TestContainer.of(Container.builder()
            .readOnlyRoot(true)
            .tmpfs("/work", DataSize.MB(4))
            .command("sleep", "600"));

    @Test
    void theServerAnswersFromInsideItsNamespace() {
        ExecResult r = web.exec("busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:8080/");
        assertThat(r.stdout()).isEqualTo("<h1>hi</h1>\n");
    }

    @Test
    void eachTestHasItsOwnScratchSpace() {
        assertThat(scratch.exec("sh", "-c", "ls /work | wc -l").stdout().strip()).isEqualTo("0");
        assertThat(scratch.exec("touch", "/work/mine").succeeded()).isTrue();
        assertThat(scratch.exec("touch", "/etc/nope").succeeded()).isFalse(); // read-only root
    }

    @Test
    void andAgain() {
        assertThat(scratch.exec("sh", "-c", "ls /work | wc -l").stdout().strip()).isEqualTo("0");
    }
}
