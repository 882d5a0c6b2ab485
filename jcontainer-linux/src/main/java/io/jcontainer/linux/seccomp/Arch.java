package io.jcontainer.linux.seccomp;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The architectures a filter can be compiled for: the two the launcher is built for. A filter
 * only ever admits the native ABI; 32-bit compat (i386 on x86_64, arm on aarch64) and x32 are
 * refused outright, because a second syscall numbering is a second door the profile did not
 * describe.
 */
public enum Arch {
    /** {@code AUDIT_ARCH_X86_64} = EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    X86_64(0xC000003E, SyscallsX86_64.NAMES, SyscallsX86_64.HEADERS_VERSION,
            List.of("SCMP_ARCH_X86_64", "amd64", "x86_64")),
    /** {@code AUDIT_ARCH_AARCH64} = EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    AARCH64(0xC00000B7, SyscallsAarch64.NAMES, SyscallsAarch64.HEADERS_VERSION,
            List.of("SCMP_ARCH_AARCH64", "arm64", "aarch64"));

    /** x32 system calls arrive with AUDIT_ARCH_X86_64 and this bit set in the number (arch/x86/include/uapi/asm/unistd.h). */
    public static final int X32_SYSCALL_BIT = 0x40000000;

    private final int auditArch;
    private final String[] names;
    private final Map<String, Integer> numbers = new HashMap<>();
    private final int headersVersion;
    private final List<String> aliases;

    Arch(int auditArch, String[] names, int headersVersion, List<String> aliases) {
        this.auditArch = auditArch;
        this.names = names;
        this.headersVersion = headersVersion;
        this.aliases = aliases;
        for (int nr = 0; nr < names.length; nr++) if (names[nr] != null) numbers.put(names[nr], nr);
    }

    /** The value of {@code seccomp_data.arch} for this ABI. */
    public int auditArch() {
        return auditArch;
    }

    /** The syscall's number, or -1 when the tables (generated from the kernel headers) do not know it. */
    public int number(String name) {
        Integer nr = numbers.get(name);
        return nr == null ? -1 : nr;
    }

    /** The name of syscall {@code nr}, or null when none is assigned in the tables. */
    public String name(int nr) {
        return nr >= 0 && nr < names.length ? names[nr] : null;
    }

    /** The highest syscall number the tables know. */
    public int highestKnown() {
        return names.length - 1;
    }

    /** The Linux version of the headers the tables were generated from, as {@code major.minor}. */
    public String tablesVersion() {
        return (headersVersion >> 16) + "." + ((headersVersion >> 8) & 0xff);
    }

    /** Whether {@code name} names this ABI, as libseccomp ({@code SCMP_ARCH_X86_64}) or Go ({@code amd64}) spell it. */
    public boolean isCalled(String name) {
        return aliases.contains(name) || aliases.contains(name.toLowerCase(Locale.ROOT));
    }

    /** The architecture of this JVM (and so of the launcher it runs). */
    public static Arch host() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> throw new IllegalStateException("no seccomp support for architecture " + a);
        };
    }
}
