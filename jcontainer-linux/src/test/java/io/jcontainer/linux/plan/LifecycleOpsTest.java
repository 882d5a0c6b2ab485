package io.jcontainer.linux.plan;

import io.jcontainer.Container;
import io.jcontainer.Namespace;
import io.jcontainer.linux.HostInfo;
import io.jcontainer.linux.rootfs.Passwd;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the lifecycle ops sit in a compiled plan, without root. */
class LifecycleOpsTest {
    private static final HostInfo HOST = new HostInfo(0, 0, 40, true, Path.of("/run/jc"), Path.of("/run/jc/root"), List.of(),
            List.of(), List.of());

    private static List<Op> child(io.jcontainer.ContainerSpec.Builder b) {
        Passwd.User root = new Passwd(PlanCompiler.DEFAULT_PASSWD, PlanCompiler.DEFAULT_GROUP).resolve(null);
        return new PlanCompiler(HOST).compile(b.build(), PlanCompiler.Inputs.of(root)).child();
    }

    @Test
    void initIsTheLastStepBeforeExecSoItHasThePayloadsCredentials() {
        List<Op> ops = child(Container.builder().init(true).command("sleep", "1"));
        assertThat(ops.get(ops.size() - 1)).isInstanceOf(Op.Exec.class);
        assertThat(ops.get(ops.size() - 2)).isInstanceOf(Op.Init.class);
        assertThat(ops.get(ops.size() - 3)).isInstanceOf(Op.CloseFds.class);
        assertThat(child(Container.builder().command("sleep", "1"))).noneMatch(o -> o instanceof Op.Init);
    }

    @Test
    void aTerminalIsAcquiredRightAfterTheNewSession() {
        List<Op> ops = child(Container.builder().tty(true).command("sh"));
        int setsid = ops.indexOf(new Op.Setsid());
        assertThat(ops.get(setsid + 1)).isEqualTo(new Op.SetCtty());
        assertThat(child(Container.builder().command("sh"))).noneMatch(o -> o instanceof Op.SetCtty);
    }

    @Test
    void execOfATtyContainerWithoutATerminalDoesNotAcquireOne() {
        var container = Container.builder().tty(true).namespaces(Namespace.PID, Namespace.MNT).command("sh").build();
        var merged = ExecPlans.merge(container, io.jcontainer.ExecSpec.of("true"));
        assertThat(merged.tty()).isFalse();
        assertThat(ExecPlans.merge(container, io.jcontainer.ExecSpec.of("true").withTty(true)).tty()).isTrue();
    }

    @Test
    void lifecycleOpsEncodeWithTheirPlanHOpcodes() {
        for (var e : List.of(java.util.Map.entry(new Op.Init(), 40), java.util.Map.entry(new Op.StatusFile("/x"), 41),
                java.util.Map.entry(new Op.Log("/x", 1024, 3), 42), java.util.Map.entry(new Op.SetCtty(), 43),
                java.util.Map.entry(new Op.Restart(1, 2, "/s", "/p"), 44))) {
            byte[] b = PlanEncoder.encode(new Plan(0, 0, List.of(e.getKey()), List.of(), List.of()));
            int opcode = java.nio.ByteBuffer.wrap(b, 32, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            assertThat(opcode).as(e.getKey().toString()).isEqualTo(e.getValue());
        }
    }
}
