package io.jcontainer.oci.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.CommitOptions;
import io.jcontainer.image.ImageException;
import io.jcontainer.image.build.DockerfileException;
import io.jcontainer.oci.Json;
import io.jcontainer.oci.build.Instruction.Cmd;
import io.jcontainer.oci.build.Instruction.Entrypoint;
import io.jcontainer.oci.build.Instruction.Env;
import io.jcontainer.oci.build.Instruction.Expose;
import io.jcontainer.oci.build.Instruction.KeyValue;
import io.jcontainer.oci.build.Instruction.Label;
import io.jcontainer.oci.build.Instruction.Onbuild;
import io.jcontainer.oci.build.Instruction.StopSignal;
import io.jcontainer.oci.build.Instruction.User;
import io.jcontainer.oci.build.Instruction.Volume;
import io.jcontainer.oci.build.Instruction.Workdir;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * {@code docker commit} and {@code docker import}: one layer tar on top of a parent image (or of
 * nothing), a config changed by Dockerfile instructions, a history entry, tags. The layer is kept
 * uncompressed, as the builder's layers are, so its digest is its diff id.
 */
public final class Commits {
    /** The instructions {@code --change} takes: docker's list ({@code commit}, {@code import}). */
    static final List<String> CHANGEABLE = List.of("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "STOPSIGNAL",
            "USER", "VOLUME", "WORKDIR");

    private final BuildStore store;
    private final Path tmpDir;

    public Commits(BuildStore store, Path tmpDir) {
        this.store = store;
        this.tmpDir = tmpDir;
    }

    /** See {@link io.jcontainer.image.Images#commit}. */
    public String commit(String parent, InputStream layer, CommitOptions options) {
        // the changes first: a typo fails before anything is stored
        ObjectNode config;
        List<BuildStore.Layer> layers = new ArrayList<>();
        if (parent == null) {
            config = JsonNodeFactory.instance.objectNode();
            config.put("architecture", DockerfileBuilder.hostArch());
            config.put("os", "linux");
            config.putObject("config");
            config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
            config.putArray("history");
        } else {
            BuildStore.Image base = store.image(parent, null, false);
            config = base.config().deepCopy();
            layers.addAll(base.layers());
            if (!(config.get("config") instanceof ObjectNode)) config.putObject("config");
            if (!(config.path("rootfs").get("diff_ids") instanceof ArrayNode)) config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
            if (!(config.get("history") instanceof ArrayNode)) config.putArray("history");
        }
        apply(options.changes(), (ObjectNode) config.get("config"));

        Path tar;
        try {
            tar = Files.createTempFile(tmpDir, ".commit-", ".tar");
        } catch (IOException e) {
            throw new ImageException("cannot make a temporary layer file in " + tmpDir + ": " + e.getMessage(), e);
        }
        try {
            MessageDigest sha = DockerfileBuilder.sha256();
            long size;
            try (InputStream in = uncompressed(layer);
                 OutputStream out = new DigestOutputStream(Files.newOutputStream(tar), sha)) {
                size = in.transferTo(out);
            }
            String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
            BuildStore.Layer stored = store.putLayer(tar, digest, size);
            layers.add(stored);
            ((ArrayNode) config.get("rootfs").get("diff_ids")).add(stored.diffId());
        } catch (IOException e) {
            throw new ImageException("cannot read the layer: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tar);
            } catch (IOException ignored) {
                // a temporary file in the store's own directory: the next GC's business
            }
        }

        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        config.put("created", now);
        if (options.author() != null) config.put("author", options.author());
        ObjectNode h = ((ArrayNode) config.get("history")).addObject();
        h.put("created", now);
        if (options.author() != null) h.put("author", options.author());
        h.put("created_by", options.createdBy() != null ? options.createdBy() : "");
        if (options.message() != null && !options.message().isEmpty()) h.put("comment", options.message());
        else if (parent == null) h.put("comment", "Imported from -");
        String id = store.commit(Json.bytes(config), layers);
        for (String t : options.tags()) store.tag(id, t);
        return id;
    }

    /** A gzip stream is recognised by its magic bytes and unpacked: the store keeps layers plain. */
    private static InputStream uncompressed(InputStream in) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
        b.mark(2);
        int m1 = b.read(), m2 = b.read();
        b.reset();
        return m1 == 0x1f && m2 == 0x8b ? new GZIPInputStream(b, 1 << 16) : b;
    }

    /**
     * Applies {@code --change} lines to an image's {@code config} object, with a Dockerfile's
     * word rules: quotes removed, {@code $VAR} from the config's Env (and earlier ENV changes)
     * in ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR.
     */
    public static void apply(List<String> changes, ObjectNode cfg) {
        List<String> baseEnv = new ArrayList<>();
        for (JsonNode x : cfg.path("Env")) baseEnv.add(x.asText());
        Expander.Scope scope = new Expander(new Dockerfile("--change", '\\', List.of(), List.of()), Map.of(), Map.of()).stage(baseEnv);
        int n = 0;
        for (String change : changes) {
            n++;
            String keyword = change.strip().split("\\s+", 2)[0].toUpperCase(java.util.Locale.ROOT);
            if (!CHANGEABLE.contains(keyword))
                throw new DockerfileException("--change", n, keyword, keyword + " is not a valid change command (one of "
                        + String.join(", ", CHANGEABLE) + ")");
            Instruction raw = DockerfileParser.parseLine("--change", n, change), ins;
            try {
                ins = scope.expand(raw);
            } catch (DockerfileException e) {
                throw e;
            } catch (io.jcontainer.ContainerException e) {
                throw raw.loc().error(e.getMessage());
            }
            switch (ins) {
                case Cmd c -> cfg.set("Cmd", DockerfileBuilder.strings(command(c.command(), cfg)));
                case Entrypoint e -> {
                    cfg.set("Entrypoint", DockerfileBuilder.strings(command(e.command(), cfg)));
                }
                case Env e -> cfg.set("Env", DockerfileBuilder.strings(scope.env()));
                case Expose x -> {
                    ObjectNode ports = DockerfileBuilder.obj(cfg, "ExposedPorts");
                    for (String p : x.ports()) ports.putObject(p.contains("/") ? p : p + "/tcp");
                }
                case Label l -> {
                    ObjectNode labels = DockerfileBuilder.obj(cfg, "Labels");
                    for (KeyValue kv : l.labels()) labels.put(kv.key(), kv.value());
                }
                case Onbuild o -> {
                    ArrayNode arr = cfg.get("OnBuild") instanceof ArrayNode a ? a : cfg.putArray("OnBuild");
                    arr.add(o.expression());
                }
                case StopSignal s -> cfg.put("StopSignal", s.signal());
                case User u -> cfg.put("User", u.user());
                case Volume v -> {
                    ObjectNode vols = DockerfileBuilder.obj(cfg, "Volumes");
                    for (String p : v.paths()) vols.putObject(p);
                }
                case Workdir w -> cfg.put("WorkingDir", CopySources.absolute(w.path(), cfg.path("WorkingDir").asText("/")));
                default -> throw new DockerfileException("--change", n, keyword, keyword + " is not a valid change command");
            }
        }
    }

    private static List<String> command(Instruction.Command c, ObjectNode cfg) {
        if (!c.shellForm()) return c.args();
        List<String> out = new ArrayList<>();
        JsonNode shell = cfg.get("Shell");
        if (shell != null && shell.isArray() && !shell.isEmpty()) shell.forEach(x -> out.add(x.asText()));
        else out.addAll(List.of("/bin/sh", "-c"));
        out.addAll(c.args());
        return out;
    }
}
