package io.jcontainer.cli;

import java.io.PrintStream;
import java.util.List;

/** docker's tables: columns padded to their widest cell plus three spaces. */
final class Table {
    private Table() {
    }

    static void print(List<List<String>> rows, PrintStream out) {
        int cols = rows.getFirst().size();
        int[] w = new int[cols];
        for (List<String> r : rows) for (int i = 0; i < cols; i++) w[i] = Math.max(w[i], r.get(i).length());
        for (List<String> r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                b.append(r.get(i));
                if (i < cols - 1) b.append(" ".repeat(w[i] - r.get(i).length() + 3));
            }
            out.println(b.toString().stripTrailing());
        }
    }
}
