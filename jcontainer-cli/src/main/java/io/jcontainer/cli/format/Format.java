package io.jcontainer.cli.format;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * docker's {@code --format} over a list of rows: a Go template per row, or {@code table TEMPLATE}
 * for a header line and columns aligned as docker's tabwriter aligns them (minimum width 10,
 * padding 3). {@code table} alone means the command's default table.
 */
public final class Format {
    private final boolean table;
    private final GoTemplate row;
    private final String source;

    private Format(boolean table, String source) {
        this.table = table;
        this.source = source;
        this.row = GoTemplate.parse(source);
    }

    /** @param defaultTable the command's table template, for a bare {@code table} */
    public static Format parse(String format, String defaultTable) {
        // As docker's formatter: a two-character \t or \n (what 'table {{.A}}\t{{.B}}' in single
        // quotes passes) is a tab or a newline, and the template is trimmed of spaces.
        String f = format.strip().replace("\\t", "\t").replace("\\n", "\n");
        if (f.equals("table")) // the verb's own table (its default is written "table TEMPLATE" too)
            return new Format(true, defaultTable.startsWith("table ") ? defaultTable.substring("table ".length()) : defaultTable);
        if (f.startsWith("table ")) return new Format(true, f.substring("table ".length()));
        if (f.equals("json")) return new Format(false, "{{json .}}");
        return new Format(false, f);
    }

    public boolean isTable() {
        return table;
    }

    /**
     * Renders every row; for a table, first a header made by running the template over
     * {@code headers} (a field missing from it shows as its name in capitals, words split).
     */
    public String render(List<?> rows, Map<String, String> headers) {
        StringBuilder out = new StringBuilder();
        if (table) out.append(row.execute(headerData(headers))).append('\n');
        for (Object r : rows) out.append(row.execute(r)).append('\n');
        return table ? align(out.toString()) : out.toString();
    }

    private static Map<String, Object> headerData(Map<String, String> headers) {
        return new AbstractMap<>() {
            @Override
            public boolean containsKey(Object key) {
                return true;
            }

            @Override
            public Object get(Object key) {
                String k = String.valueOf(key);
                return headers.containsKey(k) ? headers.get(k) : header(k);
            }

            @Override
            public Set<Entry<String, Object>> entrySet() {
                return Set.copyOf(new java.util.HashMap<String, Object>(headers).entrySet());
            }
        };
    }

    /** {@code RunningFor} → {@code RUNNING FOR}. */
    static String header(String field) {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toUpperCase(Locale.ROOT);
    }

    /**
     * Go's tabwriter as docker configures it ({@code NewWriter(out, 10, 1, 3, ' ', 0)}): cells are
     * the tab-terminated pieces of a line; a column is as wide as its widest cell plus 3, at
     * least 10; the text after a line's last tab is not a cell and is not padded. A column ends
     * where a line has fewer cells (Go's blocks of consecutive lines).
     */
    static String align(String text) {
        String[] lines = text.split("\n", -1);
        List<String[]> cells = new ArrayList<>();
        for (String l : lines) cells.add(l.split("\t", -1));
        StringBuilder out = new StringBuilder();
        int[] widths = new int[0];
        int blockStart = -1;
        for (int i = 0; i < cells.size(); i++) {
            String[] c = cells.get(i);
            // recompute the column widths for the block of lines that shares this line's columns
            if (blockStart < 0 || i == 0 || c.length != cells.get(i - 1).length) {
                blockStart = i;
                int cols = c.length - 1;
                widths = new int[Math.max(cols, 0)];
                for (int j = i; j < cells.size() && cells.get(j).length == c.length; j++)
                    for (int k = 0; k < cols; k++) widths[k] = Math.max(widths[k], width(cells.get(j)[k]) + 3);
                for (int k = 0; k < widths.length; k++) widths[k] = Math.max(widths[k], 10);
            }
            for (int k = 0; k < c.length; k++) {
                out.append(c[k]);
                if (k < c.length - 1) out.append(" ".repeat(widths[k] - width(c[k])));
            }
            if (i < cells.size() - 1) out.append('\n');
        }
        return out.toString();
    }

    private static int width(String s) {
        return s.codePointCount(0, s.length());
    }

    @Override
    public String toString() {
        return (table ? "table " : "") + source;
    }
}
