package io.jcontainer;

import java.util.Locale;

/** The signals a container is commonly sent, with their Linux numbers (same on x86_64 and aarch64). */
public enum Signal {
    HUP(1), INT(2), QUIT(3), ILL(4), TRAP(5), ABRT(6), BUS(7), FPE(8), KILL(9), USR1(10), SEGV(11),
    USR2(12), PIPE(13), ALRM(14), TERM(15), STKFLT(16), CHLD(17), CONT(18), STOP(19), TSTP(20),
    TTIN(21), TTOU(22), URG(23), XCPU(24), XFSZ(25), VTALRM(26), PROF(27), WINCH(28), IO(29), PWR(30),
    SYS(31);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** Parses docker's spellings: {@code KILL}, {@code SIGKILL}, {@code 9}. */
    public static Signal parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.startsWith("SIG")) t = t.substring(3);
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(t);
            for (Signal s : values()) if (s.number == n) return s;
            throw new InvalidSpecException("signal", "unknown signal number " + text);
        }
        try {
            return valueOf(t);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("signal", "unknown signal '" + text + "'");
        }
    }

    public static String name(int number) {
        for (Signal s : values()) if (s.number == number) return "SIG" + s.name();
        return "signal " + number;
    }
}
