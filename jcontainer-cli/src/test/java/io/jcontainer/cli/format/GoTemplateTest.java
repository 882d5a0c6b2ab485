package io.jcontainer.cli.format;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The templates people put in scripts, with the output Go's text/template gives for them. */
class GoTemplateTest {
    record Port(String hostIp, int hostPort) {}

    record Row(String ID, String Names, String Status, List<String> Mounts) {}

    private static final Map<String, Object> INSPECT = inspect();

    private static Map<String, Object> inspect() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Pid", 4242);
        state.put("Running", true);
        state.put("Status", "running");
        state.put("ExitCode", 0);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Env", List.of("PATH=/usr/bin", "A=1"));
        config.put("Labels", Map.of("com.example.team", "db", "env", "prod"));
        config.put("Cmd", List.of("sh", "-c", "sleep 1"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", "0123456789abcdef");
        m.put("Name", "/web");
        m.put("State", state);
        m.put("Config", config);
        m.put("RestartCount", 0);
        m.put("Ports", Map.of("80/tcp", List.of(new Port("0.0.0.0", 8080))));
        return m;
    }

    private static String run(String t, Object data) {
        return GoTemplate.parse(t).execute(data);
    }

    @Test
    void fieldsAndNestedFields() {
        assertThat(run("{{.State.Pid}}", INSPECT)).isEqualTo("4242");
        assertThat(run("{{.Name}} is {{.State.Status}}", INSPECT)).isEqualTo("/web is running");
        assertThat(run("{{.Nope}}", INSPECT)).isEqualTo("<no value>");
        assertThat(run("{{.}}", "x")).isEqualTo("x");
        assertThat(run("{{.Config.Cmd}}", INSPECT)).isEqualTo("[sh -c sleep 1]");
    }

    @Test
    void jsonAndFunctions() {
        assertThat(run("{{json .State}}", INSPECT)).isEqualTo("{\"Pid\":4242,\"Running\":true,\"Status\":\"running\",\"ExitCode\":0}");
        assertThat(run("{{json .Config.Env}}", INSPECT)).isEqualTo("[\"PATH=/usr/bin\",\"A=1\"]");
        assertThat(run("{{join .Config.Cmd \" \"}}", INSPECT)).isEqualTo("sh -c sleep 1");
        assertThat(run("{{.State.Status | upper}}", INSPECT)).isEqualTo("RUNNING");
        assertThat(run("{{lower \"ABC\"}} {{title \"web\"}}", INSPECT)).isEqualTo("abc Web");
        assertThat(run("{{index .Config.Labels \"env\"}}", INSPECT)).isEqualTo("prod");
        assertThat(run("{{index .Config.Cmd 1}}", INSPECT)).isEqualTo("-c");
        assertThat(run("{{len .Config.Env}}", INSPECT)).isEqualTo("2");
        assertThat(run("{{printf \"%s:%d\" .Name .State.Pid}}", INSPECT)).isEqualTo("/web:4242");
        assertThat(run("{{printf \"%-6s|\" \"ab\"}}", INSPECT)).isEqualTo("ab    |");
        assertThat(run("{{split \"a,b\" \",\"}}", INSPECT)).isEqualTo("[a b]");
        assertThat(run("{{truncate .Id 5}}", INSPECT)).isEqualTo("01234");
        assertThat(run("{{println .Name}}", INSPECT)).isEqualTo("/web\n");
    }

    @Test
    void conditionsAndComparisons() {
        assertThat(run("{{if .State.Running}}up{{else}}down{{end}}", INSPECT)).isEqualTo("up");
        assertThat(run("{{if eq .State.Status \"exited\"}}x{{else if eq .State.Status \"running\"}}r{{else}}?{{end}}", INSPECT)).isEqualTo("r");
        assertThat(run("{{if and .State.Running (eq .RestartCount 0)}}fresh{{end}}", INSPECT)).isEqualTo("fresh");
        assertThat(run("{{if not .State.Running}}down{{end}}", INSPECT)).isEmpty();
        assertThat(run("{{if gt .State.Pid 1}}big{{end}}", INSPECT)).isEqualTo("big");
        assertThat(run("{{if .Missing}}yes{{else}}no{{end}}", INSPECT)).isEqualTo("no");
    }

    @Test
    void rangeWithAndVariables() {
        assertThat(run("{{range .Config.Env}}[{{.}}]{{end}}", INSPECT)).isEqualTo("[PATH=/usr/bin][A=1]");
        assertThat(run("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", INSPECT)).isEqualTo("com.example.team=db;env=prod;");
        assertThat(run("{{range $p, $conf := .Ports}}{{$p}} -> {{(index $conf 0).hostPort}}{{end}}", INSPECT)).isEqualTo("80/tcp -> 8080");
        assertThat(run("{{range .Nothing}}x{{else}}empty{{end}}", Map.of("Nothing", List.of()))).isEqualTo("empty");
        assertThat(run("{{with .State}}{{.Pid}}{{end}}", INSPECT)).isEqualTo("4242");
        assertThat(run("{{$n := .Name}}{{range .Config.Env}}{{$n}}{{end}}", INSPECT)).isEqualTo("/web/web");
        assertThat(run("{{range .Config.Env}}{{$.Name}}{{end}}", INSPECT)).isEqualTo("/web/web");
    }

    @Test
    void trimMarkersAndComments() {
        assertThat(run("a  {{- .Name -}}  b", INSPECT)).isEqualTo("a/webb");
        assertThat(run("{{/* a comment */}}x", INSPECT)).isEqualTo("x");
    }

    @Test
    void recordsAndBeansAsData() {
        Row r = new Row("abc", "web", "Up 2 seconds", List.of("/data"));
        assertThat(run("{{.ID}}\t{{.Names}}\t{{.Status}}", r)).isEqualTo("abc\tweb\tUp 2 seconds");
        assertThatThrownBy(() -> run("{{.Nope}}", r)).isInstanceOf(TemplateException.class)
                .hasMessage("template: can't evaluate field Nope in type Row");
    }

    @Test
    void errorsAreDockers() {
        assertThatThrownBy(() -> GoTemplate.parse("{{.Name")).hasMessageContaining("template parsing error: template: :1: unclosed action");
        assertThatThrownBy(() -> GoTemplate.parse("{{if .A}}x")).hasMessageContaining("unexpected EOF");
        assertThatThrownBy(() -> GoTemplate.parse("{{end}}")).hasMessageContaining("unexpected {{end}}");
        assertThatThrownBy(() -> run("{{nosuch .}}", INSPECT)).hasMessage("template: function \"nosuch\" not defined");
        assertThatThrownBy(() -> GoTemplate.parse("{{define \"x\"}}{{end}}")).hasMessageContaining("not supported");
    }

    @Test
    void tablesAlignAsDockersTabwriter() {
        Format f = Format.parse("table {{.ID}}\t{{.Names}}\t{{.Status}}", "");
        String out = f.render(List.of(new Row("abc", "web", "Up 2 seconds", List.of()), new Row("def0123456789", "db", "Exited (0)", List.of())),
                Map.of("ID", "CONTAINER ID", "Names", "NAMES", "Status", "STATUS"));
        assertThat(out).isEqualTo("""
                CONTAINER ID    NAMES     STATUS
                abc             web       Up 2 seconds
                def0123456789   db        Exited (0)
                """);
        assertThat(Format.parse("{{.Names}}", "").render(List.of(new Row("a", "x", "", List.of())), Map.of())).isEqualTo("x\n");
        assertThat(Format.parse("table {{.RunningFor}}", "").render(List.of(), Map.of())).isEqualTo("RUNNING FOR\n");
        // what a shell passes for 'table {{.ID}}\t{{.Names}}': a backslash and a t
        assertThat(Format.parse("table {{.ID}}\\t{{.Names}}", "").render(List.of(new Row("a", "x", "", List.of())), Map.of("ID", "CONTAINER ID")))
                .isEqualTo("CONTAINER ID   NAMES\na              x\n");
    }
}
