package io.jcontainer.cli;

import io.jcontainer.cli.format.Format;
import io.jcontainer.cli.format.TemplateException;

import java.util.List;
import java.util.Map;

/**
 * A verb's {@code --format}, the same everywhere (ps, images, volume ls, info, version, network
 * ls...): parse errors are usage errors (exit 125, as docker's "template parsing error"), errors
 * while rendering name the template. A verb adds the flag with {@link #FLAG_HELP}, gives its
 * rows as maps (docker's field names) and its default table.
 */
final class FormatOption {
    static final String FLAG_HELP = "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or a Go template";

    private FormatOption() {
    }

    /** @param defaultTable the verb's table template, for a bare {@code table} */
    static Format parse(String format, String defaultTable) {
        try {
            return Format.parse(format, defaultTable);
        } catch (TemplateException e) {
            throw new UsageException(e.getMessage().startsWith("template parsing error") ? e.getMessage() : "template parsing error: " + e.getMessage());
        }
    }

    /** Renders {@code rows} (a table's header from {@code headers}: docker's titles where they differ from the field's). */
    static void print(Format f, List<?> rows, Map<String, String> headers, Io io) {
        try {
            io.out().print(f.render(rows, headers));
        } catch (TemplateException e) {
            throw new CliException(Cli.EXIT_ERROR, e.getMessage().startsWith("template") ? e.getMessage() : "template: " + e.getMessage());
        }
    }

    /** One object (info, version, inspect): its template, no table. */
    static void printOne(String format, Object data, Io io) {
        print(parse(format, ""), List.of(data), Map.of(), io);
    }
}
