package io.jcontainer.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.lifecycle.FileChange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DockerCommitTest {
    @Test
    void aCommitBodyBecomesDockerfileLinesInDockersOrder() throws Exception {
        var body = new ObjectMapper().readTree("""
                {"Hostname": "ignored", "Entrypoint": ["/bin/app"], "Cmd": "run it", "Env": ["A=1 $HOME \\"q\\"", "NOEQ"],
                 "ExposedPorts": {"80/tcp": {}}, "Labels": {"k": "v"}, "Volumes": {"/data": {}}, "User": "nobody",
                 "WorkingDir": "/srv", "StopSignal": "SIGINT", "OnBuild": ["RUN true"]}""");
        assertThat(DockerCommit.configChanges(body)).containsExactly(
                "ENTRYPOINT [\"/bin/app\"]",
                "CMD [\"/bin/sh\", \"-c\", \"run it\"]",
                "ENV A=\"1 \\$HOME \\\"q\\\"\"",
                "EXPOSE 80/tcp",
                "LABEL \"k\"=\"v\"",
                "VOLUME [\"/data\"]",
                "USER nobody",
                "WORKDIR /srv",
                "STOPSIGNAL SIGINT",
                "ONBUILD RUN true");
        assertThat(DockerCommit.configChanges(new ObjectMapper().readTree("null"))).isEmpty();
    }

    @Test
    void theCmdIsWhatFollowsTheEntrypoint() {
        assertThat(DockerCommit.cmdOf(List.of("/bin/sh", "-c", "true"), List.of("/bin/sh"))).containsExactly("-c", "true");
        assertThat(DockerCommit.cmdOf(List.of("cat", "/x"), List.of("/bin/sh"))).containsExactly("cat", "/x");
        assertThat(DockerCommit.cmdOf(List.of("cat"), List.of())).containsExactly("cat");
    }

    @Test
    void dockersKinds() {
        assertThat(DockerCommit.kind(FileChange.Kind.CHANGED)).isZero();
        assertThat(DockerCommit.kind(FileChange.Kind.ADDED)).isEqualTo(1);
        assertThat(DockerCommit.kind(FileChange.Kind.DELETED)).isEqualTo(2);
    }
}
