package io.jcontainer.server.handlers;

import io.jcontainer.server.http.ApiError;
import io.jcontainer.server.http.Exchange;
import io.jcontainer.server.http.Json;
import io.jcontainer.server.http.Request;
import io.jcontainer.server.http.Router;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * {@code /containers/{id}/archive}: docker's file copy (docker cp, Testcontainers'
 * copyFileToContainer) over the lifecycle API's tar streams. HEAD and GET carry docker's
 * {@code X-Docker-Container-Path-Stat} header, read from the archive's first entry — the path
 * itself, as the lifecycle API writes it — so the stat and the content come from one resolution
 * inside the container's root.
 */
final class ArchiveHandler {
    static final String STAT_HEADER = "X-Docker-Container-Path-Stat";

    private final Routes.Backends backends;
    private final PendingContainers pending;

    ArchiveHandler(Routes.Backends backends, PendingContainers pending) {
        this.backends = backends;
        this.pending = pending;
    }

    void install(Router r) {
        r.head("/containers/{id}/archive", this::stat);
        r.get("/containers/{id}/archive", this::get);
        r.add("PUT", "/containers/{id}/archive", this::put, Router.Body.STREAM);
    }

    private String ref(Request q) {
        if (pending.find(q.param("id")) != null)
            throw ApiError.conflict("container " + q.param("id") + " is created but not started: its files are not there yet");
        return pending.resolve(q.param("id"));
    }

    private static String path(Request q) {
        String p = q.query("path");
        if (p == null || p.isEmpty()) throw ApiError.badRequest("path is required");
        return p;
    }

    /** Stops the copy once the first header block is in: enough for the stat. */
    private static final class FirstHeader extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            bytes.write(b, off, len);
            // PAX or GNU long names take extra blocks before the entry's own: a few KiB always hold it
            if (bytes.size() >= 16 * 1024) throw new Enough();
        }
    }

    private static final class Enough extends IOException {
        Enough() {
            super(null, null);
        }
    }

    private Map<String, Object> statOf(String ref, String path) {
        FirstHeader first = new FirstHeader();
        try {
            backends.containers().copyOutArchive(ref, path, first);
        } catch (RuntimeException e) {
            if (!stoppedOnPurpose(e)) throw e;
        }
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(first.bytes.toByteArray()))) {
            TarArchiveEntry e = tar.getNextEntry();
            if (e == null) throw ApiError.notFound("Could not find the file " + path + " in container " + ref);
            return Json.obj("name", Path.of(e.getName()).getFileName() == null ? "/" : Path.of(e.getName()).getFileName().toString(),
                    "size", e.getSize(), "mode", goMode(e), "mtime", e.getLastModifiedTime().toInstant().toString(),
                    "linkTarget", e.isSymbolicLink() ? e.getLinkName() : "");
        } catch (IOException e) {
            throw new ApiError(500, "reading the archive of " + path + ": " + e.getMessage());
        }
    }

    /** Go's os.FileMode, which docker's stat header carries: permission bits plus type and special flags. */
    static long goMode(TarArchiveEntry e) {
        int m = e.getMode();
        long mode = m & 0777;
        if ((m & 04000) != 0) mode |= 1L << 23; // ModeSetuid
        if ((m & 02000) != 0) mode |= 1L << 22; // ModeSetgid
        if ((m & 01000) != 0) mode |= 1L << 20; // ModeSticky
        if (e.isDirectory()) mode |= 1L << 31;   // ModeDir
        else if (e.isSymbolicLink()) mode |= 1L << 27; // ModeSymlink
        else if (e.isFIFO()) mode |= 1L << 25;   // ModeNamedPipe
        else if (e.isCharacterDevice()) mode |= (1L << 26) | (1L << 21);
        else if (e.isBlockDevice()) mode |= 1L << 26;
        return mode;
    }

    private static boolean stoppedOnPurpose(Throwable t) {
        for (; t != null; t = t.getCause()) if (t instanceof Enough) return true;
        return false;
    }

    private static String encode(Map<String, Object> stat) {
        return Base64.getEncoder().encodeToString(Json.bytes(stat));
    }

    private void stat(Request q, Exchange x) {
        String ref = ref(q);
        x.send(200, "application/json", new byte[0], Map.of(STAT_HEADER, encode(statOf(ref, path(q)))));
    }

    private void get(Request q, Exchange x) throws IOException {
        String ref = ref(q), path = path(q);
        Map<String, Object> stat = statOf(ref, path); // 404 before the response begins
        try (OutputStream out = x.stream(200, "application/x-tar", Map.of(STAT_HEADER, encode(stat)))) {
            backends.containers().copyOutArchive(ref, path, out);
        }
    }

    private void put(Request q, Exchange x) throws IOException {
        String ref = ref(q), path = path(q);
        try (InputStream in = q.bodyStream()) {
            backends.containers().copyInArchive(ref, path, in);
        }
        x.empty(200);
    }
}
