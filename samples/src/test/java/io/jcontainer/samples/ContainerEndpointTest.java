package io.jcontainer.samples;

import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The endpoint over real HTTP on loopback, each request a real container. */
@RequiresRoot
class ContainerEndpointTest {
    private ContainerEndpoint endpoint;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        endpoint = new ContainerEndpoint(0, 2, new JobRunner(null));
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    private HttpResponse<String> post(String query, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/run" + query))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void runsTheSubmittedScript() throws Exception {
        HttpResponse<String> r = post("?deadline=5", "echo \"hi \\\"there\\\"\"; exit 3");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("{\"exitCode\":3,\"timedOut\":false,").endsWith(",\"stdout\":\"hi \\\"there\\\"\\n\",\"stderr\":\"\"}");
    }

    @Test
    void killsAScriptAtItsDeadline() throws Exception {
        HttpResponse<String> r = post("?deadline=0.5", "sleep 30");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"timedOut\":true");
    }

    @Test
    void refusesWhatItCannotBound() throws Exception {
        assertThat(post("", "x".repeat(ContainerEndpoint.MAX_SCRIPT + 1)).statusCode()).isEqualTo(413);
        assertThat(post("?deadline=3600", "true").statusCode()).isEqualTo(400);
        assertThat(post("?deadline=soon", "true").body()).contains("deadline must be a number of seconds: soon");
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/run")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    }

    @Test
    void deadlineParsing() {
        assertThat(ContainerEndpoint.deadline(null).toSeconds()).isEqualTo(10);
        assertThat(ContainerEndpoint.deadline("a=b&deadline=1.5").toMillis()).isEqualTo(1500);
        assertThatThrownBy(() -> ContainerEndpoint.deadline("deadline=0")).isInstanceOf(IllegalArgumentException.class);
    }
}
