package io.jcontainer.linux.seccomp;

import io.jcontainer.Capability;
import io.jcontainer.Seccomp;
import io.jcontainer.linux.seccomp.SeccompCompiler.Target;
import io.jcontainer.linux.seccomp.SeccompProfile.Condition;
import io.jcontainer.linux.seccomp.SeccompProfile.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.jcontainer.linux.seccomp.SeccompProfile.RET_ALLOW;
import static io.jcontainer.linux.seccomp.SeccompProfile.RET_KILL_PROCESS;
import static io.jcontainer.linux.seccomp.SeccompProfile.errno;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compiler's programs, run by {@link BpfInterpreter} (which also makes the kernel's load-time
 * checks), against a plain-Java reading of the same profile: every syscall number, boundary
 * argument values, both architectures, with and without capabilities.
 */
class SeccompCompilerTest {
    static final int AUDIT_ARCH_I386 = 0x40000003;
    static final int EPERM = errno(1), ENOSYS = errno(38);
    static final Set<Capability> DOCKER = Capability.dockerDefaults();
    static final Set<Capability> ALL = EnumSet.allOf(Capability.class);

    static Target target(Arch arch, Set<Capability> caps) {
        return new Target(arch, caps, 6, 18);
    }

    static BpfInterpreter program(SeccompProfile p, Target t) {
        return new BpfInterpreter(SeccompCompiler.compile(p, t));
    }

    static SeccompProfile defaultProfile() {
        return SeccompFilters.profile(Seccomp.DEFAULT);
    }

    /** What the profile means, read without any BPF: the reference the programs are held to. */
    static int reference(SeccompProfile p, Target t, int arch, int nr, long... args) {
        if (arch != t.arch().auditArch()) return RET_KILL_PROCESS;
        if (t.arch() == Arch.X86_64 && nr >= Arch.X32_SYSCALL_BIT) return RET_KILL_PROCESS;
        int maxNamed = -1;
        for (Rule r : p.rules()) for (String n : r.names()) maxNamed = Math.max(maxNamed, t.arch().number(n));
        Integer unconditional = null;
        for (Rule r : p.rules()) {
            if (!SeccompCompiler.applies(r, t) || r.names().stream().noneMatch(n -> t.arch().number(n) >= 0 && t.arch().number(n) == nr)) continue;
            if (r.conditions().isEmpty()) {
                if (unconditional == null) unconditional = r.action();
            } else if (r.conditions().stream().allMatch(c -> holds(c, args[c.index()]))) {
                return r.action();
            }
        }
        if (unconditional != null) return unconditional;
        boolean deny = !SeccompProfile.permits(p.defaultAction()) && maxNamed >= 0;
        if (nr >= 0 && nr <= maxNamed && t.arch().name(nr) != null) return p.defaultAction();
        return deny ? ENOSYS : p.defaultAction();
    }

    static boolean holds(Condition c, long arg) {
        int cmp = Long.compareUnsigned(arg, c.value());
        return switch (c.op()) {
            case EQ -> cmp == 0;
            case NE -> cmp != 0;
            case LT -> cmp < 0;
            case LE -> cmp <= 0;
            case GT -> cmp > 0;
            case GE -> cmp >= 0;
            case MASKED_EQ -> (arg & c.value()) == c.valueTwo();
        };
    }

    static final long[] EDGES = {0, 1, 2, 8, 37, 38, 39, 40, 41, 0x5412, 0x20000, 0x20008, 0x7e020000, 0x10000000, 0x7fffffffL,
            0x80000000L, 0xfffffffeL, 0xffffffffL, 0x1_0000_0000L, 0x1_0000_0026L, 0x1_0000_5412L, 0xffffffff_00005412L,
            0x1_7e02_0000L, Long.MAX_VALUE, Long.MIN_VALUE, -2, -1};

    @ParameterizedTest
    @EnumSource(Arch.class)
    void defaultProfileMatchesItsMeaningForEverySyscallNumber(Arch arch) {
        SeccompProfile p = defaultProfile();
        Random rnd = new Random(42);
        for (Set<Capability> caps : List.of(DOCKER, ALL, EnumSet.noneOf(Capability.class))) {
            Target t = target(arch, caps);
            BpfInterpreter bpf = program(p, t);
            for (int nr : numbers()) {
                for (long a : EDGES) {
                    long[] args = {a, a, a ^ 0x1, rnd.nextLong(), a, a};
                    assertThat(bpf.run(arch.auditArch(), nr, args)).as("%s nr %d (%s) args %x caps %d", arch, nr, arch.name(nr), a, caps.size())
                            .isEqualTo(reference(p, t, arch.auditArch(), nr, args));
                }
            }
        }
    }

    static int[] numbers() {
        int[] extra = {-5, -1, Integer.MIN_VALUE, 0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0x40000000 | 59};
        int[] all = new int[1100 + extra.length];
        for (int i = 0; i < 1100; i++) all[i] = i;
        System.arraycopy(extra, 0, all, 1100, extra.length);
        return all;
    }

    int answer(Arch arch, Set<Capability> caps, String syscall, long... args) {
        int nr = arch.number(syscall);
        assertThat(nr).as(syscall).isNotNegative();
        return program(defaultProfile(), target(arch, caps)).run(arch.auditArch(), nr, args);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void defaultProfileAllowsWhatTheLauncherStillDoesAfterLoadingIt(Arch arch) {
        for (String s : List.of("setgroups", "setresgid", "setresuid", "capset", "prctl", "close_range", "fcntl", "execve",
                "write", "exit_group", "read", "mmap", "futex", "wait4", "rt_sigaction", "getpid", "brk"))
            assertThat(answer(arch, DOCKER, s, 0, 0, 0, 0, 0, 0)).as(s).isEqualTo(RET_ALLOW);
        // ...and with no capability at all (a stricter container)
        assertThat(answer(arch, Set.of(), "execve")).isEqualTo(RET_ALLOW);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void defaultProfileNeverAllowsTheseEvenWithEveryCapability(Arch arch) {
        for (String s : List.of("keyctl", "add_key", "request_key", "userfaultfd", "pivot_root", "kexec_load", "kexec_file_load",
                "io_uring_setup", "io_uring_enter", "io_uring_register", "swapon", "swapoff")) {
            assertThat(answer(arch, ALL, s, 0, 0)).as(s).isEqualTo(EPERM);
            assertThat(answer(arch, DOCKER, s, 0, 0)).as(s).isEqualTo(EPERM);
        }
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void namespacesAndMountsOnlyWithSysAdmin(Arch arch) {
        Set<Capability> admin = EnumSet.copyOf(DOCKER);
        admin.add(Capability.SYS_ADMIN);
        for (String s : List.of("mount", "umount2", "unshare", "setns", "bpf", "perf_event_open", "sethostname", "fsopen", "move_mount")) {
            assertThat(answer(arch, DOCKER, s)).as(s).isEqualTo(EPERM);
            assertThat(answer(arch, admin, s)).as(s).isEqualTo(RET_ALLOW);
        }
        assertThat(answer(arch, DOCKER, "clone3")).isEqualTo(ENOSYS);
        assertThat(answer(arch, admin, "clone3")).isEqualTo(RET_ALLOW);
        long newUser = 0x10000000L, threadFlags = 0x3d0f00L, sigchld = 17;
        assertThat(answer(arch, DOCKER, "clone", threadFlags)).isEqualTo(RET_ALLOW);
        assertThat(answer(arch, DOCKER, "clone", sigchld)).isEqualTo(RET_ALLOW);
        for (long ns : new long[]{0x00020000, 0x02000000, 0x04000000, 0x08000000, newUser, 0x20000000, 0x40000000})
            assertThat(answer(arch, DOCKER, "clone", sigchld | ns)).as("clone flags %x", ns).isEqualTo(EPERM);
        assertThat(answer(arch, admin, "clone", sigchld | newUser)).isEqualTo(RET_ALLOW);
        assertThat(answer(arch, DOCKER, "chroot")).isEqualTo(RET_ALLOW);
        assertThat(answer(arch, Set.of(), "chroot")).isEqualTo(EPERM);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void socketFamiliesAndPersonalities(Arch arch) {
        for (long family : new long[]{1, 2, 10, 16, 17, 39, 41, 45})
            assertThat(answer(arch, DOCKER, "socket", family)).as("family %d", family).isEqualTo(RET_ALLOW);
        for (long family : new long[]{38, 40, 0x1_0000_0026L, 0xffffffff_00000028L, -1})
            assertThat(answer(arch, DOCKER, "socket", family)).as("family %x", family).isEqualTo(EPERM);
        for (long p : new long[]{0, 8, 0x20000, 0x20008, 0xffffffffL, -1L})
            assertThat(answer(arch, DOCKER, "personality", p)).isEqualTo(RET_ALLOW);
        for (long p : new long[]{1, 0x0400000, 0x1_0000_0000L, 0x0008_0000})
            assertThat(answer(arch, DOCKER, "personality", p)).isEqualTo(EPERM);
        assertThat(answer(arch, DOCKER, "ioctl", 0, 0x5401)).isEqualTo(RET_ALLOW); // TCGETS
        assertThat(answer(arch, DOCKER, "ioctl", 0, 0x5412)).isEqualTo(EPERM); // TIOCSTI
        assertThat(answer(arch, DOCKER, "ioctl", 0, 0xffffffff_00005412L)).isEqualTo(EPERM);
        assertThat(answer(arch, DOCKER, "ioctl", 0, 0x541c)).isEqualTo(EPERM); // TIOCLINUX
    }

    @Test
    void unknownAndNewerSyscallsGetEnosysSoLibcFallsBack() {
        BpfInterpreter x86 = program(defaultProfile(), target(Arch.X86_64, DOCKER));
        int x = Arch.X86_64.auditArch();
        assertThat(x86.run(x, 452)).as("fchmodat2 (6.6), newer than the tables").isEqualTo(ENOSYS);
        assertThat(x86.run(x, 400)).as("an unassigned number").isEqualTo(ENOSYS);
        assertThat(x86.run(x, 100_000)).isEqualTo(ENOSYS);
        assertThat(x86.run(x, -1)).as("what a tracer sets to skip a call").isEqualTo(ENOSYS);
        assertThat(x86.run(x, Arch.X86_64.number("acct"))).as("known, older, not allowed").isEqualTo(EPERM);
    }

    @Test
    void foreignAbisAreKilled() {
        BpfInterpreter x86 = program(defaultProfile(), target(Arch.X86_64, DOCKER));
        int read = Arch.X86_64.number("read");
        assertThat(x86.run(AUDIT_ARCH_I386, 3)).isEqualTo(RET_KILL_PROCESS);
        assertThat(x86.run(Arch.X86_64.auditArch(), read | Arch.X32_SYSCALL_BIT)).as("x32 read").isEqualTo(RET_KILL_PROCESS);
        assertThat(x86.run(Arch.AARCH64.auditArch(), 63)).isEqualTo(RET_KILL_PROCESS);
        BpfInterpreter arm = program(defaultProfile(), target(Arch.AARCH64, DOCKER));
        assertThat(arm.run(0x40000028 /* AUDIT_ARCH_ARM */, 3)).isEqualTo(RET_KILL_PROCESS);
        assertThat(arm.run(Arch.X86_64.auditArch(), 0)).isEqualTo(RET_KILL_PROCESS);
        assertThat(arm.run(Arch.AARCH64.auditArch(), Arch.AARCH64.number("read") | Arch.X32_SYSCALL_BIT)).as("no x32 on arm: just unknown").isEqualTo(ENOSYS);
        // even a profile that allows everything keeps other ABIs out: their numbers would bypass its rules
        SeccompProfile allowAll = SeccompProfile.parse("""
                {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}""", null);
        BpfInterpreter p = program(allowAll, target(Arch.X86_64, DOCKER));
        assertThat(p.run(AUDIT_ARCH_I386, 39 /* i386 mkdir */)).isEqualTo(RET_KILL_PROCESS);
        assertThat(p.run(Arch.X86_64.auditArch(), Arch.X86_64.number("mkdir"))).isEqualTo(EPERM);
        assertThat(p.run(Arch.X86_64.auditArch(), 100_000)).as("allow-by-default: no ENOSYS stub").isEqualTo(RET_ALLOW);
    }

    @Test
    void everyComparisonOperatorOnSixtyFourBitArguments() {
        for (SeccompProfile.Cmp op : SeccompProfile.Cmp.values()) {
            for (long v : EDGES) {
                for (int index : new int[]{0, 3, 5}) {
                    long valueTwo = op == SeccompProfile.Cmp.MASKED_EQ ? v & 0xff00ff00_00ff00ffL : 0;
                    SeccompProfile p = new SeccompProfile(errno(13), Set.of(), 0, List.of(
                            new Rule(List.of("openat"), RET_ALLOW, List.of(new Condition(index, op, v, valueTwo)), SeccompProfile.Filter.NONE, SeccompProfile.Filter.NONE)));
                    Target t = target(Arch.X86_64, DOCKER);
                    BpfInterpreter bpf = program(p, t);
                    for (long arg : EDGES) {
                        for (long a : new long[]{arg, arg + 1, arg - 1, arg ^ 0xff00_0000_0000L}) {
                            long[] args = new long[6];
                            args[index] = a;
                            boolean want = holds(new Condition(index, op, v, valueTwo), a);
                            assertThat(bpf.run(t.arch().auditArch(), 257, args)).as("%x %s %x (two %x)", a, op, v, valueTwo)
                                    .isEqualTo(want ? RET_ALLOW : errno(13));
                        }
                    }
                }
            }
        }
    }

    @Test
    void rulesOfOneSyscallAreTriedInOrderAndConditionsAreAnded() {
        SeccompProfile p = SeccompProfile.parse("""
                {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
                  {"names":["write"],"action":"SCMP_ACT_ALLOW"},
                  {"names":["write"],"action":"SCMP_ACT_ERRNO","errnoRet":9,"args":[{"index":0,"value":3,"op":"SCMP_CMP_GE"},{"index":0,"value":9,"op":"SCMP_CMP_LE"}]},
                  {"names":["write"],"action":"SCMP_ACT_KILL_PROCESS","args":[{"index":0,"value":5,"op":"SCMP_CMP_EQ"}]},
                  {"names":["write"],"action":"SCMP_ACT_TRAP","args":[{"index":2,"value":100,"op":"SCMP_CMP_GT"}]}
                ]}""", null);
        BpfInterpreter bpf = program(p, target(Arch.X86_64, DOCKER));
        int x = Arch.X86_64.auditArch(), write = 1;
        assertThat(bpf.run(x, write, 1, 0, 10)).isEqualTo(RET_ALLOW);
        assertThat(bpf.run(x, write, 4, 0, 10)).isEqualTo(errno(9));
        assertThat(bpf.run(x, write, 5, 0, 10)).as("first matching rule wins").isEqualTo(errno(9));
        assertThat(bpf.run(x, write, 10, 0, 1000)).isEqualTo(SeccompProfile.RET_TRAP);
        assertThat(bpf.run(x, write, 10, 0, 100)).isEqualTo(RET_ALLOW);
    }

    @Test
    void farJumpsGoThroughTrampolines() {
        // 300 syscalls with two argument checks each: the program is far longer than 255 instructions.
        StringBuilder json = new StringBuilder("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
        for (int nr = 0; nr < 300; nr++) {
            String name = Arch.X86_64.name(nr);
            if (name == null) continue;
            json.append("{\"names\":[\"").append(name).append("\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":")
                    .append(nr).append(",\"op\":\"SCMP_CMP_EQ\"},{\"index\":2,\"value\":").append(nr * 7L << 32).append(",\"op\":\"SCMP_CMP_NE\"}]},");
        }
        json.setLength(json.length() - 1);
        json.append("]}");
        SeccompProfile p = SeccompProfile.parse(json.toString(), null);
        Target t = target(Arch.X86_64, DOCKER);
        BpfInterpreter bpf = program(p, t);
        assertThat(bpf.length()).isGreaterThan(1000).isLessThanOrEqualTo(Bpf.MAX_INSNS);
        for (int nr = 0; nr < 460; nr++)
            for (long a : new long[]{nr, nr + 1, 0})
                for (long b : new long[]{0, nr * 7L << 32}) {
                    long[] args = {0, a, b, 0, 0, 0};
                    assertThat(bpf.run(t.arch().auditArch(), nr, args)).as("nr %d", nr).isEqualTo(reference(p, t, t.arch().auditArch(), nr, args));
                }
    }

    @Test
    void aProfileTooLongForTheKernelIsAnInvalidSpec() {
        StringBuilder json = new StringBuilder("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
        for (int i = 0; i < 1200; i++)
            json.append("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":").append(i)
                    .append(",\"op\":\"SCMP_CMP_EQ\"}]},");
        json.setLength(json.length() - 1);
        json.append("]}");
        SeccompProfile p = SeccompProfile.parse(json.toString(), null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SeccompCompiler.compile(p, target(Arch.X86_64, DOCKER)))
                .isInstanceOf(io.jcontainer.InvalidSpecException.class)
                .hasMessageMatching("seccomp: the profile compiles to \\d+ BPF instructions for X86_64; the kernel accepts at most 4096.*");
    }

    @Test
    void defaultProfileIsSmallAndShort() {
        for (Arch arch : Arch.values()) {
            BpfInterpreter bpf = program(defaultProfile(), target(arch, DOCKER));
            int longest = 0;
            for (int nr = 0; nr <= arch.highestKnown(); nr++) {
                bpf.run(arch.auditArch(), nr);
                longest = Math.max(longest, bpf.steps);
            }
            bpf.run(arch.auditArch(), arch.number("read"));
            System.out.printf("default profile on %s: %d instructions, read() runs %d, the longest unconditional path %d%n",
                    arch, bpf.length(), bpf.steps, longest);
            assertThat(bpf.length()).isLessThan(600);
            assertThat(longest).isLessThan(40);
        }
    }

    @Test
    void docker_includesAndExcludes() {
        SeccompProfile p = SeccompProfile.parse("""
                {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
                  {"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN","CAP_NET_ADMIN"]}},
                  {"names":["write"],"action":"SCMP_ACT_ALLOW","excludes":{"caps":["CAP_SYS_ADMIN"]}},
                  {"names":["close"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["arm64"]}},
                  {"names":["dup"],"action":"SCMP_ACT_ALLOW","excludes":{"arches":["amd64","x32"]}},
                  {"names":["pipe2"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"6.19"}},
                  {"names":["dup3"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"6.18"}}
                ]}""", null);
        Target plain = target(Arch.X86_64, DOCKER);
        Set<Capability> both = EnumSet.of(Capability.SYS_ADMIN, Capability.NET_ADMIN);
        Target admin = target(Arch.X86_64, both);
        assertThat(SeccompCompiler.applies(p.rules().get(0), plain)).isFalse();
        assertThat(SeccompCompiler.applies(p.rules().get(0), target(Arch.X86_64, EnumSet.of(Capability.SYS_ADMIN)))).as("needs all caps").isFalse();
        assertThat(SeccompCompiler.applies(p.rules().get(0), admin)).isTrue();
        assertThat(SeccompCompiler.applies(p.rules().get(1), plain)).isTrue();
        assertThat(SeccompCompiler.applies(p.rules().get(1), admin)).isFalse();
        assertThat(SeccompCompiler.applies(p.rules().get(2), plain)).isFalse();
        assertThat(SeccompCompiler.applies(p.rules().get(2), target(Arch.AARCH64, DOCKER))).isTrue();
        assertThat(SeccompCompiler.applies(p.rules().get(3), plain)).isFalse();
        assertThat(SeccompCompiler.applies(p.rules().get(3), target(Arch.AARCH64, DOCKER))).isTrue();
        assertThat(SeccompCompiler.applies(p.rules().get(4), plain)).isFalse();
        assertThat(SeccompCompiler.applies(p.rules().get(5), plain)).isTrue();
        BpfInterpreter bpf = program(p, admin);
        assertThat(bpf.run(Arch.X86_64.auditArch(), 0)).isEqualTo(RET_ALLOW);
        assertThat(bpf.run(Arch.X86_64.auditArch(), 1)).isEqualTo(EPERM);
    }

    @Test
    void filtersAreCachedPerProfileArchAndCapabilities() {
        var a = SeccompFilters.compile(Seccomp.DEFAULT, target(Arch.X86_64, DOCKER));
        assertThat(SeccompFilters.compile(Seccomp.DEFAULT, target(Arch.X86_64, EnumSet.copyOf(DOCKER)))).isSameAs(a);
        assertThat(SeccompFilters.compile(Seccomp.DEFAULT, target(Arch.X86_64, ALL))).isNotSameAs(a);
        assertThat(SeccompFilters.compile(Seccomp.DEFAULT, target(Arch.AARCH64, DOCKER))).isNotSameAs(a);
        assertThat(SeccompFilters.compile(Seccomp.UNCONFINED, DOCKER)).isNull();
        assertThat(a.flags()).isZero();
    }

    /** The cache's key compares profiles as their records do (its equals is written out, not the records'). */
    @Test
    void theCacheKeyComparesProfilesAsTheirRecordsDo() {
        var t = target(Arch.X86_64, DOCKER);
        assertThat(SeccompFilters.compile(new Seccomp.DefaultProfile(), t)).isSameAs(SeccompFilters.compile(Seccomp.DEFAULT, t));
        String json = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
        var j = SeccompFilters.compile(new Seccomp.Json(json, null), t);
        assertThat(SeccompFilters.compile(new Seccomp.Json(new String(json), null), t)).isSameAs(j);
        assertThat(SeccompFilters.compile(new Seccomp.Json(json, "a.json"), t)).isNotSameAs(j);
        assertThat(SeccompFilters.compile(new Seccomp.Json(json.replace("read", "write"), null), t)).isNotSameAs(j);
        assertThat(j).isNotSameAs(SeccompFilters.compile(Seccomp.DEFAULT, t));
    }
}
