package io.jcontainer.server.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerExit;
import io.jcontainer.ExecSpec;
import io.jcontainer.ContainerProcess;
import io.jcontainer.Stdio;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.server.http.ApiError;
import io.jcontainer.server.http.Exchange;
import io.jcontainer.server.http.Json;
import io.jcontainer.server.http.MuxStream;
import io.jcontainer.server.http.Request;
import io.jcontainer.server.http.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /containers/{id}/exec}, {@code /exec/{id}/start|resize|json}: docker's two-step
 * exec. The exec instance lives in this server (docker keeps it in its daemon too) until its
 * container is gone.
 */
final class ExecHandler {
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final class Instance {
        final String id;
        final String container;
        final ExecSpec spec;
        final boolean attachStdin, attachStdout, attachStderr;
        volatile ContainerProcess process;
        volatile Integer exitCode;

        Instance(String id, String container, ExecSpec spec, boolean in, boolean out, boolean err) {
            this.id = id;
            this.container = container;
            this.spec = spec;
            this.attachStdin = in;
            this.attachStdout = out;
            this.attachStderr = err;
        }
    }

    private final Routes.Backends backends;
    private final PendingContainers pending;
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();

    ExecHandler(Routes.Backends backends, PendingContainers pending) {
        this.backends = backends;
        this.pending = pending;
    }

    void install(Router r) {
        r.post("/containers/{id}/exec", this::create);
        r.post("/exec/{id}/start", this::start);
        r.post("/exec/{id}/resize", this::resize);
        r.get("/exec/{id}/json", this::inspect);
    }

    private Instance instance(Request q) {
        Instance i = instances.get(q.param("id"));
        if (i == null) throw ApiError.notFound("No such exec instance: " + q.param("id"));
        return i;
    }

    private void create(Request q, Exchange x) {
        ObjectNode b = q.jsonObject();
        String ref = pending.resolve(q.param("id"));
        if (pending.find(q.param("id")) != null) throw ApiError.conflict("Container " + q.param("id") + " is not running");
        ContainerInfo c = backends.containers().find(ref);
        if (!c.running()) throw ApiError.conflict("Container " + c.id() + " is not running");
        if (c.paused()) throw ApiError.conflict("Container " + c.id() + " is paused, unpause the container before exec");
        List<String> cmd = new ArrayList<>();
        b.path("Cmd").forEach(n -> cmd.add(n.asText()));
        if (cmd.isEmpty()) throw ApiError.badRequest("No exec command specified");
        if (b.path("Privileged").asBoolean(false)) throw ApiError.badRequest("privileged exec is not supported: an exec runs with its container's privileges");
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : b.path("Env")) {
            String s = e.asText();
            int eq = s.indexOf('=');
            if (eq > 0) env.put(s.substring(0, eq), s.substring(eq + 1));
        }
        String wd = b.path("WorkingDir").asText("");
        String user = b.path("User").asText("");
        boolean in = b.path("AttachStdin").asBoolean(false);
        ExecSpec spec = new ExecSpec(cmd, env, wd.isEmpty() ? null : wd, user.isEmpty() ? null : user,
                in ? Stdio.PIPE : Stdio.NULL, Stdio.PIPE, Stdio.PIPE, b.path("Tty").asBoolean(false));
        byte[] id = new byte[32];
        RANDOM.nextBytes(id);
        Instance i = new Instance(HexFormat.of().formatHex(id), c.id(), spec, in, b.path("AttachStdout").asBoolean(false),
                b.path("AttachStderr").asBoolean(false));
        instances.put(i.id, i);
        x.json(201, Json.obj("Id", i.id));
    }

    private void start(Request q, Exchange x) throws Exception {
        Instance i = instance(q);
        JsonNode b = q.json();
        synchronized (i) {
            if (i.process != null) throw ApiError.conflict("Exec " + i.id + " has already been started");
            i.process = backends.containers().exec(i.container, i.spec);
        }
        ContainerProcess p = i.process;
        if (b.path("Detach").asBoolean(false)) {
            // nobody reads its output: let it go to waste rather than block the process on a full pipe
            Thread.ofPlatform().daemon().name("jcontainer-api-pump").start(() -> drain(p.stdout()));
            Thread.ofPlatform().daemon().name("jcontainer-api-pump").start(() -> drain(p.stderr()));
            p.onExit().thenAccept(e -> i.exitCode = e.code());
            x.empty(200);
            return;
        }
        Exchange.Hijacked h = x.hijack(i.spec.tty() ? "application/vnd.docker.raw-stream" : "application/vnd.docker.raw-stream");
        OutputStream so, se;
        if (i.spec.tty()) {
            so = se = h.out();
        } else {
            MuxStream[] m = MuxStream.pair(h.out());
            so = m[0];
            se = m[1];
        }
        if (i.attachStdin) {
            InputStream in = h.in();
            Thread.ofPlatform().daemon().name("jcontainer-api-pump").start(() -> {
                try (OutputStream stdin = p.stdin()) {
                    in.transferTo(stdin);
                } catch (IOException ignored) {
                    // the process ended or the client went
                }
            });
        }
        Thread err = i.spec.tty() ? null : Thread.ofPlatform().daemon().name("jcontainer-api-pump").start(() -> copy(p.stderr(), i.attachStderr ? se : OutputStream.nullOutputStream()));
        copy(p.stdout(), i.attachStdout ? so : OutputStream.nullOutputStream());
        if (err != null) err.join();
        ContainerExit exit = p.onExit().get();
        i.exitCode = exit.code();
        p.close();
    }

    private static void copy(InputStream from, OutputStream to) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = from.read(buf)) > 0; ) to.write(buf, 0, n);
        } catch (IOException e) {
            drain(from); // the client went: keep the process from blocking on its output
        }
    }

    private static void drain(InputStream in) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // closed
        }
    }

    private void resize(Request q, Exchange x) {
        Instance i = instance(q);
        int h = (int) q.longQuery("h", 0), w = (int) q.longQuery("w", 0);
        ContainerProcess p = i.process;
        if (p == null) throw ApiError.conflict("exec " + i.id + " is not running");
        if (!i.spec.tty()) throw ApiError.badRequest("exec " + i.id + " has no terminal to resize");
        p.resizeTerminal(h, w);
        x.empty(200);
    }

    private void inspect(Request q, Exchange x) {
        Instance i = instance(q);
        ContainerProcess p = i.process;
        boolean running = p != null && i.exitCode == null && p.isRunning();
        x.json(200, Json.obj("ID", i.id, "Running", running, "ExitCode", i.exitCode, "ProcessConfig", Json.obj(
                        "tty", i.spec.tty(), "entrypoint", i.spec.command().getFirst(), "arguments", i.spec.command().subList(1, i.spec.command().size()),
                        "privileged", false, "user", i.spec.user() == null ? "" : i.spec.user()),
                "OpenStdin", i.attachStdin, "OpenStderr", i.attachStderr, "OpenStdout", i.attachStdout, "CanRemove", false,
                "ContainerID", pending.display(i.container), "DetachKeys", "", "Pid", p == null ? 0 : p.pid()));
    }
}
