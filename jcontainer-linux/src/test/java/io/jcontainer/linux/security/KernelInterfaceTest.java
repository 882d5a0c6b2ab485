package io.jcontainer.linux.security;

import io.jcontainer.Namespace;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** SECURITY.md rows 3, 8, 9, 10, 14, 17, 18: namespaces, /proc and /sys, cgroupfs, kernel APIs. */
@RequiresRoot
class KernelInterfaceTest extends AttackTest {

    /** Row 3: new namespaces (other than a user namespace) need CAP_SYS_ADMIN, which is dropped. */
    @Test
    void unshareAndSetnsRefused() {
        for (String ns : new String[]{"mnt", "net", "pid", "ipc", "uts", "cgroup"})
            assertThat(run("unshare", ns).verdict()).as(ns).isEqualTo("EPERM");
        assertThat(run("setns", "/proc/1/ns/mnt").verdict()).isEqualTo("EPERM");
    }

    /** Row 3 (seccomp): unshare(CLONE_NEWUSER) and clone3 are refused by the default filter. */
    @Test
    void userNamespaceRefusedBySeccomp() {
        Landed.seccomp();
        assertThat(run("unshare", "user").verdict()).isEqualTo("EPERM");
        assertThat(run("clone3-userns").verdict()).isEqualTo("ENOSYS");
    }

    /** Row 3 without seccomp: a nested user namespace gains capabilities over nothing of the host. */
    @Test
    void nestedUserNamespaceIsHarmless() {
        var o = TestRuns.run(probe().seccomp(io.jcontainer.Seccomp.UNCONFINED).command("/bin/unshare", "-U", "-r", "-m", "-n",
                "/bin/probe", "chroot-escape", canary.toString()));
        // either unshare is refused, or the escape ends inside the container's root
        assertThat(o.stdout()).doesNotContain("ESCAPED");
    }

    /** Row 8: kernel knobs and /sys are read-only. */
    @Test
    void procSysAndSysAreReadOnly() {
        assertThat(run("write", "/proc/sys/kernel/core_pattern", "|/tmp/x").verdict()).isEqualTo("EROFS");
        // absent when the kernel has no CONFIG_MAGIC_SYSRQ
        assertThat(run("write", "/proc/sysrq-trigger", "b").verdict()).isIn("EROFS", "ENOENT");
        assertThat(run("write", "/sys/kernel/uevent_helper", "/tmp/x").verdict()).isIn("EROFS", "ENOENT", "EACCES");
        assertThat(run("write", "/sys/kernel/mm/transparent_hugepage/enabled", "never").verdict()).isEqualTo("EROFS");
    }

    /** Row 8 on the host network (a bound /sys): cgroupfs below it is not writable either. */
    @Test
    void cgroupfsNotWritableWithHostSysfs() {
        for (String f : new String[]{"/sys/fs/cgroup/pids/cgroup.procs", "/sys/fs/cgroup/memory/cgroup.procs",
                "/sys/fs/cgroup/unified/cgroup.procs", "/sys/fs/cgroup/cgroup.procs"}) {
            var o = run(probe("write", f, "0").removeNamespace(Namespace.NET));
            assertThat(o.verdict()).as(f + ": " + o).isIn("EROFS", "ENOENT");
        }
    }

    /** Row 8: cgroupfs seen from the container (its own cgroup namespace) cannot raise its limits. */
    @Test
    void ownCgroupLimitsCannotBeRaised() {
        for (String f : new String[]{"/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
                "/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/memory.max"}) {
            var o = run(probe("write", f, "max"));
            assertThat(o.verdict()).as(f + ": " + o).isIn("EROFS", "ENOENT");
        }
    }

    /** Row 9: CVE-2022-0492 — mounting a v1 hierarchy to set release_agent fails, so does writing one. */
    @Test
    void releaseAgentEscapeFails() {
        var o = TestRuns.run(probe().command("/bin/sh", "-c",
                "mkdir -p /tmp/cg; /bin/probe mount cgroup /tmp/cg rdma; /bin/probe mount cgroup2 /tmp/cg;"
                        + " /bin/probe write /sys/fs/cgroup/memory/release_agent /tmp/x"));
        String[] lines = o.stdout().split("\n");
        assertThat(lines[0]).isEqualTo("EPERM");
        assertThat(lines[1]).isEqualTo("EPERM");
        assertThat(lines[2]).isIn("EROFS", "ENOENT");
    }

    /** Row 10: masked kernel files read as empty or not at all. */
    @ParameterizedTest
    @ValueSource(strings = {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats",
            "/sys/firmware/dmi/tables/DMI", "/sys/devices/virtual/powercap/intel-rapl/intel-rapl:0/energy_uj"})
    void maskedFilesAreEmpty(String path) {
        var o = run("read", path);
        assertThat(o.verdict()).as(o.toString()).isIn("OK 0", "ENOENT", "EACCES", "EPERM");
    }

    /** Row 14: loading modules needs CAP_SYS_MODULE; no modprobe in reach. */
    @Test
    void moduleLoadingRefused() {
        // ENOSYS: a kernel built without module support
        assertThat(run("init-module").verdict()).isIn("EPERM", "ENOSYS");
    }

    /** Row 14/18 (seccomp): socket families that autoload modules or reach the host are refused. */
    @Test
    void exoticSocketFamiliesRefused() {
        Landed.seccomp();
        assertThat(run("af_alg").verdict()).isIn("EPERM", "EAFNOSUPPORT");
        assertThat(run("af_vsock").verdict()).isIn("EPERM", "EAFNOSUPPORT");
    }

    /** Row 17 (seccomp): the kernel keyring is not namespaced: keyctl/add_key fail. */
    @Test
    void keyringRefused() {
        Landed.seccomp();
        assertThat(run("keyctl").verdict()).isEqualTo("EPERM");
        assertThat(run("add_key").verdict()).isEqualTo("EPERM");
    }

    /** Row 18 (seccomp): bpf, perf_event_open, userfaultfd, io_uring refused. */
    @Test
    void dangerousKernelApisRefused() {
        Landed.seccomp();
        for (String api : new String[]{"bpf", "perf", "userfaultfd", "io_uring"})
            assertThat(run(api).verdict()).as(api).isIn("EPERM", "ENOSYS");
    }

    /** Row 18 without seccomp: bpf needs CAP_BPF/CAP_SYS_ADMIN (kernel.unprivileged_bpf_disabled). */
    @Test
    void bpfRefusedWithoutCapability() {
        assertThat(run(probe("bpf").seccomp(io.jcontainer.Seccomp.UNCONFINED)).verdict()).isEqualTo("EPERM");
    }

    /** Row 3/18: sethostname outside our own UTS namespace is impossible (and needs CAP_SYS_ADMIN). */
    @Test
    void sethostnameRefused() {
        assertThat(run("sethostname").verdict()).isEqualTo("EPERM");
    }
}
