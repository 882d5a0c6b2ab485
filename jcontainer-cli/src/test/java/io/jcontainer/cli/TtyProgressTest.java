package io.jcontainer.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The live view's drawing: what stays on the screen once redrawn in place, and that no line outgrows the terminal. */
class TtyProgressTest {

    /** What a terminal shows after the output: cursor-up and clear-to-end applied, colours dropped. */
    static String screen(String raw) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\033') {
                int j = i + 2;
                while (j < raw.length() && !Character.isLetter(raw.charAt(j))) j++;
                String arg = raw.substring(i + 2, j);
                char cmd = raw.charAt(j);
                if (cmd == 'A') for (int n = Integer.parseInt(arg); n > 0 && !lines.isEmpty(); n--) lines.removeLast();
                i = j;
            } else if (c == '\n') {
                lines.add(cur.toString());
                cur.setLength(0);
            } else if (c != '\r') cur.append(c);
        }
        return String.join("\n", lines);
    }

    @Test
    void finishedStepsStayAsOneLineAndRunningOnesShowTheirOutputsTail() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TtyProgress p = new TtyProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 60);
        p.stepStarted(1, "[1/3] FROM busybox");
        p.stepDone(1, Duration.ofMillis(100));
        p.stepStarted(2, "[2/3] COPY app/ /app/");
        p.stepCached(2);
        p.stepStarted(3, "[3/3] RUN for i in 1 2 3 4 5 6 7 8; do echo line $i; done and a very long command line");
        for (int i = 1; i <= 8; i++) p.stepOutput(3, "line " + i);
        String live = screen(bytes.toString(StandardCharsets.UTF_8));
        var lines = live.lines().toList();
        assertThat(lines.get(0)).matches("=> \\[1/3] FROM busybox +0\\.1s");
        assertThat(lines.get(1)).isEqualTo("=> CACHED [2/3] COPY app/ /app/");
        assertThat(live).contains("[+] Building", "(2/3)", "=> => # line 8", "=> => # line 3").doesNotContain("=> => # line 2");
        assertThat(live.lines()).allMatch(l -> l.length() < 60);
        p.stepDone(3, Duration.ofMillis(1500));
        p.finish();
        String end = screen(bytes.toString(StandardCharsets.UTF_8));
        assertThat(end).contains("(3/3)").doesNotContain("=> => # line");
        assertThat(end.lines().filter(l -> l.contains("[3/3] RUN")).toList()).singleElement().asString().endsWith("1.5s");
    }
}
