package io.jcontainer.bench;

import java.util.List;
import java.util.Locale;

/** A tiny horizontal bar chart in SVG: one bar per row, an optional whisker (p90), the value printed. */
final class Svg {
    record Bar(String label, double value, double whisker, String color) {
    }

    private Svg() {
    }

    static String bars(String title, String unit, List<Bar> bars) {
        int labelW = 250, plotW = 430, rowH = 26, top = 40, valueW = 120;
        int width = labelW + plotW + valueW, height = top + rowH * bars.size() + 30;
        double max = bars.stream().mapToDouble(b -> Math.max(b.value(), Double.isNaN(b.whisker()) ? 0 : b.whisker())).max().orElse(1);
        if (max <= 0) max = 1;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
                width, height, width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", esc(title)));
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            int y = top + i * rowH;
            double w = b.value() / max * plotW;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", labelW - 8, y + 16, esc(b.label())));
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", labelW, y + 4, w, rowH - 8, b.color()));
            double end = w;
            if (!Double.isNaN(b.whisker())) {
                double wx = labelW + b.whisker() / max * plotW;
                end = Math.max(end, wx - labelW);
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" stroke-width=\"1\"/>\n",
                        labelW + w, y + rowH / 2, wx, y + rowH / 2));
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" stroke-width=\"1\"/>\n",
                        wx, y + 7, wx, y + rowH - 7));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", labelW + end + 6, y + 16, esc(fmt(b.value()) + " " + unit)));
        }
        int ly = top + rowH * bars.size() + 18;
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">%s</text>\n", labelW, ly,
                esc(bars.stream().anyMatch(b -> !Double.isNaN(b.whisker())) ? "bar: median; whisker: p90" : "bar: mean of the measured iterations")));
        s.append("</svg>\n");
        return s.toString();
    }

    static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String esc(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
