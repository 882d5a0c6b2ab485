package io.jcontainer.linux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Mount;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.VolumeInfo;
import io.jcontainer.lifecycle.Volumes;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.state.StoredSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link Volumes} as directories: {@code .volumes/NAME/_data} (what containers bind-mount) and
 * {@code .volumes/NAME/volume.json} (name, creation time, labels, anonymous) inside the store's
 * root — so they share its ownership check and its life (a state directory on /run does not
 * survive a reboot, unlike docker's /var/lib/docker/volumes).
 *
 * <p>References are counted from the records: a volume is used by every recorded container
 * whose stored spec bind-mounts its {@code _data}, running or not, as docker counts; create and
 * remove take {@code .volumes/.lock}.
 */
final class LinuxVolumes implements Volumes {
    /** In a holder: an ObjectMapper costs a CLI verb tens of ms the first time, and this class is
     * loaded on paths (ps, inspect, the start) that do not all print or parse JSON with it. */
    private static final class Json {
        static final ObjectMapper JSON = new ObjectMapper();
    }
    static final String DIR = ".volumes", DATA = "_data", META = "volume.json";

    private final ContainerStore store;
    private final Path root;

    LinuxVolumes(ContainerStore store) {
        this.store = store;
        this.root = store.root().resolve(DIR).toAbsolutePath().normalize();
    }

    @Override
    public VolumeInfo create(String name, Map<String, String> labels) {
        if (name == null) return create(HexFormat.of().formatHex(random32()), labels, true);
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+"))
            throw new InvalidSpecException("volume", "\"" + name + "\" includes invalid characters for a local volume name, only "
                    + "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
        return create(name, labels, false);
    }

    @Override
    public VolumeInfo createAnonymous() {
        return create(HexFormat.of().formatHex(random32()), Map.of(), true);
    }

    private VolumeInfo create(String name, Map<String, String> labels, boolean anonymous) {
        return locked(() -> {
            Path d = root.resolve(name);
            if (Files.isDirectory(d.resolve(DATA))) return read(name); // docker: create of an existing one returns it
            try {
                Files.createDirectories(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                // what containers see: as docker's _data, open to the container's users
                Files.createDirectories(d.resolve(DATA), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                ObjectNode o = Json.JSON.createObjectNode();
                o.put("name", name).put("createdAt", Instant.now().toString()).put("anonymous", anonymous);
                ObjectNode l = o.putObject("labels");
                (labels == null ? Map.<String, String>of() : labels).forEach(l::put);
                Files.write(d.resolve(META), Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
            } catch (IOException e) {
                throw new ContainerException("creating volume " + name + " in " + d + ": " + e, e);
            }
            return read(name);
        });
    }

    @Override
    public List<VolumeInfo> list(Map<String, List<String>> filters) {
        List<VolumeInfo> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        Map<Path, List<String>> users = users();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path d : ds) {
                if (!Files.isDirectory(d.resolve(DATA))) continue;
                VolumeInfo v = read(d.getFileName().toString(), users);
                if (matches(v, filters)) out.add(v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing(VolumeInfo::name));
        return out;
    }

    private static boolean matches(VolumeInfo v, Map<String, List<String>> filters) {
        for (var f : filters.entrySet()) {
            boolean any = switch (f.getKey()) {
                case "name" -> f.getValue().stream().anyMatch(n -> v.name().contains(n));
                case "label" -> f.getValue().stream().anyMatch(x -> {
                    int eq = x.indexOf('=');
                    return eq < 0 ? v.labels().containsKey(x) : x.substring(eq + 1).equals(v.labels().get(x.substring(0, eq)));
                });
                case "dangling" -> f.getValue().stream().anyMatch(x -> Boolean.parseBoolean(x) == v.usedBy().isEmpty());
                default -> throw new IllegalArgumentException("invalid filter '" + f.getKey() + "'");
            };
            if (!any) return false;
        }
        return true;
    }

    @Override
    public VolumeInfo find(String name) {
        return read(name);
    }

    @Override
    public void remove(String name) {
        locked(() -> {
            VolumeInfo v = read(name);
            if (!v.usedBy().isEmpty())
                throw new Containers.ConflictException("remove " + name + ": volume is in use - [" + String.join(", ", v.usedBy()) + "]");
            deleteTree(root.resolve(name));
            return null;
        });
    }

    @Override
    public List<String> prune(boolean all) {
        List<String> removed = new ArrayList<>();
        for (VolumeInfo v : list(Map.of("dangling", List.of("true")))) {
            if (!all && !v.anonymous()) continue;
            try {
                remove(v.name());
                removed.add(v.name());
            } catch (Containers.ConflictException | NoSuchVolumeException raced) {
                // used or removed by another process meanwhile
            }
        }
        return removed;
    }

    /**
     * docker rm -v: the anonymous volumes {@code spec} mounts that no other recorded container
     * uses (the container's own record is gone by now).
     */
    void removeAnonymousOf(ContainerSpec spec) {
        if (spec == null) return;
        for (Path source : bindSources(spec)) {
            if (!source.getParent().getParent().equals(root) || !source.getFileName().toString().equals(DATA)) continue;
            String name = source.getParent().getFileName().toString();
            try {
                if (read(name).anonymous()) remove(name);
            } catch (NoSuchVolumeException | Containers.ConflictException kept) {
                // gone already, or another container uses it
            }
        }
    }

    private VolumeInfo read(String name) {
        return read(name, users());
    }

    private VolumeInfo read(String name, Map<Path, List<String>> users) {
        Path d = root.resolve(name);
        if (name.contains("/") || name.startsWith(".") || !Files.isDirectory(d.resolve(DATA)))
            throw new NoSuchVolumeException("get " + name + ": no such volume");
        JsonNode o;
        try {
            o = Json.JSON.readTree(d.resolve(META).toFile());
        } catch (IOException e) {
            throw new ContainerException("volume " + name + ": " + d.resolve(META) + " unreadable (" + e.getMessage() + ")", e);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        o.path("labels").properties().forEach(p -> labels.put(p.getKey(), p.getValue().asText()));
        Path data = d.resolve(DATA).toAbsolutePath().normalize();
        return new VolumeInfo(name, "local", data, Instant.parse(o.path("createdAt").asText(Instant.EPOCH.toString())), labels,
                o.path("anonymous").asBoolean(), users.getOrDefault(data, List.of()));
    }

    /** Which recorded containers bind-mount which host directories (their stored specs). */
    private Map<Path, List<String>> users() {
        Map<Path, List<String>> users = new LinkedHashMap<>();
        for (ContainerStore.Entry e : store.list()) {
            ContainerSpec spec;
            try {
                spec = StoredSpec.read(store.dir(e.state().id()));
            } catch (RuntimeException unreadable) {
                continue;
            }
            if (spec == null) continue;
            for (Path p : bindSources(spec)) users.computeIfAbsent(p, k -> new ArrayList<>()).add(e.state().id());
        }
        return users;
    }

    static List<Path> bindSources(ContainerSpec spec) {
        List<Path> out = new ArrayList<>();
        for (Mount m : spec.mounts()) {
            switch (m) {
                case Mount.Bind b -> out.add(b.source().toAbsolutePath().normalize());
                case Mount.Generic g when g.isBind() && g.source() != null -> out.add(Path.of(g.source()).toAbsolutePath().normalize());
                default -> { }
            }
        }
        return out;
    }

    private <T> T locked(Supplier<T> body) {
        try {
            store.root().toFile().mkdirs();
            Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
            try (FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return body.get();
            }
        } catch (IOException e) {
            throw new ContainerException("volumes in " + root + ": " + e, e);
        }
    }

    private static void deleteTree(Path p) {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (NoSuchFileException gone) {
            // removed meanwhile
        } catch (IOException e) {
            throw new ContainerException("removing volume directory " + p + ": " + e, e);
        }
    }

    private static byte[] random32() {
        return LinuxContainerRuntime.random32();
    }
}
