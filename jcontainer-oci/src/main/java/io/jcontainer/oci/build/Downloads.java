package io.jcontainer.oci.build;

import io.jcontainer.image.build.BuildException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * ADD's URL sources: fetched with java.net.http, redirects followed here (at most 10) so nothing
 * is ever forwarded to another host, verified against {@code --checksum} when given. The file
 * keeps the server's Last-Modified time, as docker's ADD does.
 */
final class Downloads {
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(30)).build();

    private Downloads() {
    }

    static String fileName(String url) {
        String path = URI.create(url).getPath();
        if (path == null || path.isEmpty() || path.endsWith("/")) return "index.html";
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static Path fetch(String url, String checksum, Path dir) {
        URI uri = URI.create(url);
        for (int hop = 0; hop <= 10; hop++) {
            HttpResponse<InputStream> resp;
            try {
                resp = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new BuildException("ADD " + url + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildException("ADD " + url + ": interrupted");
            }
            int code = resp.statusCode();
            if (code >= 300 && code < 400 && resp.headers().firstValue("location").isPresent()) {
                try (InputStream ignored = resp.body()) {
                    uri = uri.resolve(resp.headers().firstValue("location").get());
                } catch (IOException ignored) {
                    // only draining
                }
                continue;
            }
            if (code != 200) {
                try (InputStream ignored = resp.body()) {
                    // drain
                } catch (IOException ignored) {
                    // nothing to do
                }
                throw new BuildException("ADD " + url + ": the server answered HTTP " + code);
            }
            Path file = dir.resolve(fileName(url));
            try (InputStream in = resp.body()) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                String sum = sha256(file);
                if (checksum != null && !checksum.equals(sum))
                    throw new BuildException("ADD " + url + ": checksum mismatch: expected " + checksum + ", got " + sum);
                var lm = resp.headers().firstValue("last-modified");
                if (lm.isPresent()) {
                    try {
                        Files.setLastModifiedTime(file, FileTime.from(ZonedDateTime.parse(lm.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()));
                    } catch (RuntimeException ignored) {
                        // a malformed date keeps the download time
                    }
                }
                return file;
            } catch (IOException e) {
                throw new BuildException("ADD " + url + ": " + e.getMessage(), e);
            }
        }
        throw new BuildException("ADD " + url + ": more than 10 redirects");
    }

    static String sha256(Path file) {
        MessageDigest md = DockerfileBuilder.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        } catch (IOException e) {
            throw new BuildException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }
}
