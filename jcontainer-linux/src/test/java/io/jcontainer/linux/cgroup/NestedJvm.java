package io.jcontainer.linux.cgroup;

import io.jcontainer.Container;
import io.jcontainer.Stdio;
import io.jcontainer.linux.testing.TestRootfs;

import java.util.ArrayList;
import java.util.List;

/**
 * A JVM holding attached containers: {@code NestedJvm N} starts N busybox containers with
 * memory and pids limits running {@code sleep 1000}, prints their pids on one line and waits to
 * be killed. Its caller places it in a cgroup first.
 */
public final class NestedJvm {
    public static void main(String[] args) throws Exception {
        List<Container> held = new ArrayList<>();
        StringBuilder pids = new StringBuilder();
        for (int i = 0; i < Integer.parseInt(args[0]); i++) {
            Container c = Container.builder().rootfs(TestRootfs.busybox()).memoryLimit("32m").pidsLimit(20)
                    .stdout(Stdio.NULL).stderr(Stdio.NULL).command("/bin/sleep", "1000").start();
            held.add(c);
            pids.append(c.pid()).append(' ');
        }
        System.out.println(pids.toString().strip());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
