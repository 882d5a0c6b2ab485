package io.jcontainer.linux.seccomp;

import io.jcontainer.InvalidSpecException;
import io.jcontainer.Seccomp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;

import static io.jcontainer.linux.seccomp.SeccompProfile.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The OCI/Docker JSON format: what is accepted, and that every refusal names its field. */
class SeccompProfileTest {
    /**
     * The built-in profile is ASCII: one non-ASCII character (a dash in a comment) made the JDK
     * decode all of its 12 KB into UTF-16 char by char, interpreted, in every JVM that starts a
     * container, and the parser then read a UTF-16 string.
     */
    @Test
    void theBuiltInProfileIsAscii() {
        String json = SeccompFilters.defaultProfileJson();
        for (int i = 0; i < json.length(); i++)
            assertThat((int) json.charAt(i)).as("character %d of the built-in profile", i).isLessThan(128);
    }

    @Test
    void parsesTheOciAndDockerFields() {
        SeccompProfile p = parse("""
                {
                  "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
                  "architectures": ["SCMP_ARCH_X86_64"],
                  "archMap": [{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
                  "flags": ["SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG"],
                  "listenerPath": "",
                  "syscalls": [
                    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "comment": "ignored", "someFutureField": 1},
                    {"name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                     "args": [{"index": 0, "value": 18446744073709551615, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
                     "includes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["amd64"], "minKernel": "4.8"},
                     "excludes": {"caps": ["CAP_BPF"]}},
                    {"names": ["a1"], "action": "SCMP_ACT_KILL"},
                    {"names": ["a2"], "action": "SCMP_ACT_KILL_THREAD"},
                    {"names": ["a3"], "action": "SCMP_ACT_KILL_PROCESS"},
                    {"names": ["a4"], "action": "SCMP_ACT_TRAP"},
                    {"names": ["a5"], "action": "SCMP_ACT_TRACE", "errnoRet": 7},
                    {"names": ["a6"], "action": "SCMP_ACT_LOG"},
                    {"names": ["a7"], "action": "SCMP_ACT_ERRNO"}
                  ]
                }""", "test.json");
        assertThat(p.defaultAction()).isEqualTo(RET_ERRNO | 38);
        assertThat(p.architectures()).containsExactlyInAnyOrder("SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
        assertThat(p.flags()).isEqualTo(FLAG_SPEC_ALLOW | FLAG_LOG);
        assertThat(p.rules()).hasSize(10);
        assertThat(p.rules().get(0).names()).containsExactly("read", "write");
        assertThat(p.rules().get(1).names()).containsExactly("mkdir");
        assertThat(p.rules().get(1).action()).isEqualTo(RET_ERRNO | 13);
        Rule clone = p.rules().get(2);
        assertThat(clone.conditions()).containsExactly(new Condition(0, Cmp.MASKED_EQ, -1L, 0));
        assertThat(clone.includes().caps()).containsExactly("CAP_SYS_ADMIN");
        assertThat(clone.includes().minKernel()).containsExactly(4, 8);
        assertThat(clone.excludes().caps()).containsExactly("CAP_BPF");
        assertThat(p.rules().stream().skip(3).map(Rule::action).toList()).containsExactly(RET_KILL_THREAD, RET_KILL_THREAD,
                RET_KILL_PROCESS, RET_TRAP, RET_TRACE | 7, RET_LOG, RET_ERRNO | 1 /* EPERM unless errnoRet says */);
    }

    @Test
    void theBuiltInProfileParsesAndIsAnAllowList() {
        SeccompProfile p = SeccompFilters.profile(Seccomp.DEFAULT);
        assertThat(p.defaultAction()).isEqualTo(RET_ERRNO | EPERM);
        assertThat(p.rules()).allSatisfy(r -> assertThat(r.action()).isIn(RET_ALLOW, RET_ERRNO | EPERM, RET_ERRNO | ENOSYS));
        assertThat(SeccompFilters.defaultProfileJson()).contains("\"defaultAction\"");
    }

    static void refused(String json, String message) {
        assertThatThrownBy(() -> parse(json, "p.json")).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).setting()).isEqualTo("seccomp"))
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}                                                                   | defaultAction: missing (p.json)",
            "{\"defaultAction\":\"SCMP_ACT_NOPE\"}                               | defaultAction: unknown action \"SCMP_ACT_NOPE\"",
            "{\"defaultAction\":7}                                                | defaultAction: must be a string",
            "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}      | defaultErrnoRet: must be an errno number 0..4095",
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}             | syscalls: must be an array",
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"x86\"]} | architectures[]: not an architecture name",
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"BOGUS\"]}       | flags: unknown flag \"BOGUS\"",
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x\"}     | listenerPath: seccomp notify listeners are not supported",
            "{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}                             | SCMP_ACT_NOTIFY needs a seccomp notify listener",
            "[1]                                                                  | a profile is a JSON object",
    })
    void refusesMalformedTopLevelFields(String json, String message) {
        refused(json, message.trim());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"action\":\"SCMP_ACT_ALLOW\"}                                     | syscalls[0].names: a rule needs at least one syscall name",
            "{\"names\":[\"read\"]}                                              | syscalls[0].action: missing",
            "{\"names\":[\"re ad\"],\"action\":\"SCMP_ACT_ALLOW\"}              | syscalls[0].names: not a syscall name: \"re ad\"",
            "{\"names\":[1],\"action\":\"SCMP_ACT_ALLOW\"}                      | syscalls[0].names[]: must be a string",
            "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5000} | syscalls[0].errnoRet: must be an errno number 0..4095, got 5000",
            "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]} | syscalls[0].args[0].index: must be an argument index 0..5, got 6",
            "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_FOO\"}]} | syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\"",
            "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]} | syscalls[0].args[0].value: must be an unsigned 64-bit integer, got -1",
            "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":18446744073709551616,\"op\":\"SCMP_CMP_EQ\"}]} | syscalls[0].args[0].value: must be an unsigned 64-bit integer",
            "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"op\":\"SCMP_CMP_EQ\"}]} | syscalls[0].args[0].value: missing",
            "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":\"1\",\"op\":\"SCMP_CMP_EQ\"}]} | syscalls[0].args[0].value: must be an unsigned 64-bit integer",
            "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"new\"}} | syscalls[0].includes.minKernel: not a kernel version",
            "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":\"CAP_X\"}} | syscalls[0].excludes.caps: must be an array",
    })
    void refusesMalformedRulesNamingTheField(String rule, String message) {
        refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[" + rule + "]}", message.trim());
    }

    @Test
    void malformedJsonSaysWhere() {
        refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [,]}", "malformed JSON (p.json)");
        refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [,]}", "at line 2");
    }

    @Test
    void unknownSyscallNamesAreIgnoredAsRuncDoes() {
        SeccompProfile p = parse("""
                {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","no_such_call","open"],"action":"SCMP_ACT_ALLOW"}]}""", null);
        var arm = new BpfInterpreter(SeccompCompiler.compile(p, new SeccompCompiler.Target(Arch.AARCH64, Set.of(), 6, 1)));
        assertThat(arm.run(Arch.AARCH64.auditArch(), Arch.AARCH64.number("read"))).isEqualTo(RET_ALLOW);
        assertThat(List.of(Arch.AARCH64.number("open"), Arch.AARCH64.number("no_such_call"))).containsOnly(-1);
    }
}
