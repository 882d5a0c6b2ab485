package io.jcontainer.oci.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Malformed and unsupported config.json: a typed error naming the JSON path, never a silent drop. */
class ConfigErrorsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path BUNDLE = Path.of("/bundle");

    static final String MINIMAL = """
            {"ociVersion": "1.2.0",
             "process": {"args": ["sh"], "cwd": "/"},
             "root": {"path": "rootfs"},
             "linux": {"namespaces": [{"type": "mount"}, {"type": "pid"}]}}""";

    /** MINIMAL with one JSON pointer set to a value (parsed from JSON text). */
    static OciConfig with(String pointer, String json) throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(MINIMAL);
        int slash = pointer.lastIndexOf('/');
        String parent = pointer.substring(0, slash), key = pointer.substring(slash + 1);
        ObjectNode p = doc;
        for (String part : parent.split("/")) {
            if (part.isEmpty()) continue;
            p = p.has(part) ? (ObjectNode) p.get(part) : p.putObject(part);
        }
        p.set(key, JSON.readTree(json));
        return OciConfig.of(doc);
    }

    @Test
    void minimalConfigConverts() {
        assertThat(SpecConv.toSpec(OciConfig.parse(MINIMAL), BUNDLE).command()).containsExactly("sh");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "/process/args|\"sh\"|process.args|expected an array, got a string",
            "/process/args|[]|process.args|required",
            "/process/args|[1]|process.args[0]|expected a string, got a number",
            "/process/terminal|\"yes\"|process.terminal|expected true or false",
            "/process/cwd|\"work\"|process.cwd|must be an absolute path",
            "/process/env|[\"NOEQUALS\"]|process.env[0]|expected KEY=VALUE",
            "/process/user|{\"uid\": -1, \"gid\": 0}|process.user.uid|must be between 0 and 4294967295",
            "/process/user|{\"uid\": 1.5, \"gid\": 0}|process.user.uid|expected an integer",
            "/process/rlimits|[{\"type\": \"RLIMIT_BOGUS\", \"soft\": 1, \"hard\": 1}]|process.rlimits[0].type|unknown rlimit 'RLIMIT_BOGUS'",
            "/process/rlimits|[{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]|process.rlimits[0]|soft limit 2 exceeds hard limit 1",
            "/process/capabilities|{\"bounding\": [\"KILL\"]}|process.capabilities.bounding[0]|expected a CAP_* name",
            "/linux/namespaces|[{\"type\": \"mount\"}, {\"type\": \"bogus\"}]|linux.namespaces[1].type|unknown namespace type 'bogus'",
            "/linux/namespaces|[{\"type\": \"mount\"}, {\"type\": \"mount\"}]|linux.namespaces[1].type|given twice",
            "/linux/namespaces|[{\"type\": \"pid\"}]|linux.namespaces|the MNT namespace is required",
            "/linux/namespaces|[{\"type\": \"mount\"}, {\"type\": \"network\", \"path\": \"run/netns/x\"}]|linux.namespaces[1].path|must be an absolute path",
            "/mounts|[{\"destination\": \"data\", \"type\": \"tmpfs\"}]|mounts[0].destination|must be an absolute path, got 'data'",
            "/mounts|[{\"type\": \"tmpfs\"}]|mounts[0].destination|expected a string",
            "/mounts|[{\"destination\": \"/x\", \"options\": \"ro\"}]|mounts[0].options|expected an array",
            "/linux/seccomp|{\"defaultAction\": \"SCMP_ACT_BOGUS\"}|linux.seccomp.defaultAction|unknown seccomp action 'SCMP_ACT_BOGUS'",
            "/linux/seccomp|{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"ALLOW\"}]}|linux.seccomp.syscalls[0].action|unknown seccomp action 'ALLOW'",
            "/linux/seccomp|{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 9, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}|linux.seccomp.syscalls[0].args[0].index|must be between 0 and 5",
            "/linux/seccomp|{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"EQ\"}]}]}|linux.seccomp.syscalls[0].args[0].op|unknown comparison 'EQ'",
            "/linux/rootfsPropagation|\"sideways\"|linux.rootfsPropagation|unknown propagation 'sideways'",
            "/linux/devices|[{\"path\": \"/dev/x\", \"type\": \"q\", \"major\": 1, \"minor\": 1}]|linux.devices[0].type|expected c, b, u or p",
            "/linux/uidMappings|[{\"containerID\": 0, \"hostID\": 0}]|linux.uidMappings[0].size|expected an integer, got missing",
            "/linux/resources|{\"memory\": {\"limit\": \"1g\"}}|linux.resources.memory.limit|expected an integer, got a string",
            "/hooks|{\"prestart\": [{\"path\": \"hook\"}]}|hooks.prestart[0].path|must be an absolute path",
            "/hooks|{\"prestart\": [{\"path\": \"/hook\", \"timeout\": 0}]}|hooks.prestart[0].timeout|must be between 1",
            "/hostname|\"bad_name!\"|hostname|invalid hostname",
            "/annotations|{\"k\": 1}|annotations.k|expected a string",
            "/root|{\"path\": 5}|root.path|expected a string",
    })
    void malformedNamesThePath(String pointer, String json, String path, String message) throws Exception {
        OciConfig c = with(pointer, json);
        assertThatThrownBy(() -> SpecConv.toSpec(c, BUNDLE))
                .isInstanceOf(ConfigException.Malformed.class)
                .isInstanceOf(ContainerException.class)
                .satisfies(e -> assertThat(((ConfigException) e).jsonPath()).isEqualTo(path))
                .hasMessageStartingWith(path + ": ")
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/linux/intelRdt|{\"closID\": \"x\"}|linux.intelRdt",
            "/linux/personality|{\"domain\": \"LINUX32\"}|linux.personality",
            "/linux/timeOffsets|{\"monotonic\": {\"secs\": 1}}|linux.timeOffsets",
            "/linux/mountLabel|\"system_u:object_r:container_file_t:s0\"|linux.mountLabel",
            "/linux/resources|{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 1}]}|linux.resources.hugepageLimits",
            "/linux/resources|{\"memory\": {\"swappiness\": 10}}|linux.resources.memory.swappiness",
            "/linux/resources|{\"unified\": {\"memory.high\": \"1\"}}|linux.resources.unified",
            "/linux/resources|{\"devices\": [{\"allow\": true, \"access\": \"rwm\"}]}|linux.resources.devices[0]",
            "/linux/resources|{\"blockIO\": {\"leafWeight\": 10}}|linux.resources.blockIO.leafWeight",
            "/linux/resources|{\"cpu\": {\"realtimeRuntime\": 10}}|linux.resources.cpu.realtimeRuntime",
            "/linux/seccomp|{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}|linux.seccomp.defaultAction",
            "/linux/seccomp|{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/l.sock\"}|linux.seccomp.listenerPath",
            "/process/apparmorProfile|\"docker-default\"|process.apparmorProfile",
            "/process/selinuxLabel|\"system_u:system_r:container_t:s0\"|process.selinuxLabel",
            "/process/scheduler|{\"policy\": \"SCHED_BATCH\"}|process.scheduler",
            "/process/ioPriority|{\"class\": \"IOPRIO_CLASS_IDLE\"}|process.ioPriority",
            "/process/capabilities|{\"bounding\": [\"CAP_TIME_TRAVEL\"]}|process.capabilities.bounding[0]",
            "/process/user|{\"uid\": 0, \"gid\": 0, \"username\": \"ContainerUser\"}|process.user.username",
            "/mounts|[{\"destination\": \"/x\", \"type\": \"bind\", \"source\": \"/y\", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}]|mounts[0].uidMappings",
            "/windows|{\"layerFolders\": []}|windows",
            "/vm|{\"kernel\": {\"path\": \"/k\"}}|vm",
    })
    void unsupportedNamesThePath(String pointer, String json, String path) throws Exception {
        OciConfig c = with(pointer, json);
        assertThatThrownBy(() -> SpecConv.toSpec(c, BUNDLE))
                .isInstanceOf(ConfigException.Unsupported.class)
                .satisfies(e -> assertThat(((ConfigException) e).jsonPath()).isEqualTo(path))
                .hasMessageStartingWith(path + ": not supported by jcontainer");
    }

    @Test
    void notJsonAndNotAnOciDocument(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> OciConfig.parse("{\"ociVersion\": "))
                .isInstanceOf(ConfigException.Malformed.class).hasMessageContaining("not valid JSON at line 1");
        assertThatThrownBy(() -> OciConfig.parse("[]"))
                .isInstanceOf(ConfigException.Malformed.class).hasMessageContaining("expected an object, got an array");
        assertThatThrownBy(() -> OciConfig.parse("{}"))
                .isInstanceOf(ConfigException.Malformed.class).hasMessageStartingWith("ociVersion: required");
        assertThatThrownBy(() -> OciConfig.parse("{\"ociVersion\": \"2.0.0\"}"))
                .isInstanceOf(ConfigException.Malformed.class).hasMessageContaining("is not 1.x");
        assertThatThrownBy(() -> OciConfig.read(dir.resolve("config.json")))
                .isInstanceOf(ConfigException.Malformed.class).hasMessageContaining("config.json: no such file");
        Files.writeString(dir.resolve("config.json"), "{\"ociVersion\": 1}");
        assertThatThrownBy(() -> OciConfig.read(dir.resolve("config.json")))
                .isInstanceOf(ConfigException.Malformed.class).hasMessage("ociVersion: " + dir.resolve("config.json") + ": expected a string, got a number");
    }

    @Test
    void unknownFieldsAreIgnoredNotRefused() throws Exception {
        OciConfig c = with("/linux/x-future", "{\"anything\": [1, 2]}");
        assertThat(SpecConv.toSpec(c, BUNDLE).command()).containsExactly("sh");
    }

    @Test
    void emptyOrFalseUnsupportedFieldsSayNothingAndPass() throws Exception {
        for (Consumer<ObjectNode> edit : java.util.List.<Consumer<ObjectNode>>of(
                d -> ((ObjectNode) d.get("process")).put("apparmorProfile", ""),
                d -> ((ObjectNode) d.get("linux")).putObject("resources").putObject("memory").put("disableOOMKiller", false),
                d -> ((ObjectNode) d.get("linux")).putObject("resources").putArray("hugepageLimits"),
                d -> ((ObjectNode) d.get("linux")).putObject("intelRdt"),
                // engines repeat the devices every runtime allows: accepted as what jcontainer does anyway
                d -> {
                    var rules = ((ObjectNode) d.get("linux")).putObject("resources").putArray("devices");
                    rules.addObject().put("allow", false).put("access", "rwm");
                    rules.addObject().put("allow", true).put("type", "c").put("major", 1).put("minor", 3).put("access", "rwm");
                    rules.addObject().put("allow", true).put("type", "c").put("major", 136).put("access", "rwm");
                })) {
            ObjectNode doc = (ObjectNode) JSON.readTree(MINIMAL);
            edit.accept(doc);
            assertThat(SpecConv.toSpec(OciConfig.of(doc), BUNDLE).command()).containsExactly("sh");
        }
    }
}
