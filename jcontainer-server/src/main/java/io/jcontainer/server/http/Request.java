package io.jcontainer.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaders;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One API request as a handler sees it: the path's parameters, the query, the headers and the
 * body — whole (JSON endpoints, bounded) or as a stream (archives, image tars).
 */
public final class Request {
    private final String method;
    private final String path;
    private final ApiVersion version;
    private final Map<String, String> params;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final byte[] body;
    private final InputStream bodyStream;
    private final Connection connection;

    Request(String method, String path, ApiVersion version, Map<String, String> params, Map<String, List<String>> query,
            HttpHeaders headers, byte[] body, InputStream bodyStream, Connection connection) {
        this.connection = connection;
        this.method = method;
        this.path = path;
        this.version = version;
        this.params = params;
        this.query = query;
        this.headers = headers;
        this.body = body;
        this.bodyStream = bodyStream;
    }

    /** The connection it came on. */
    public Connection connection() {
        return connection;
    }

    /** The path's parameters, by name. */
    public Map<String, String> params() {
        return params;
    }

    public String method() {
        return method;
    }

    /** The path without its version prefix. */
    public String path() {
        return path;
    }

    public ApiVersion version() {
        return version;
    }

    /** A path parameter ({@code {id}} of the route). */
    public String param(String name) {
        return params.get(name);
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** A query parameter; null when absent. */
    public String query(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    public List<String> queryAll(String name) {
        return query.getOrDefault(name, List.of());
    }

    public boolean has(String name) {
        return query.containsKey(name);
    }

    /** A boolean as docker reads them: absent, empty, {@code 0}, {@code false} (any case), {@code no} are false. */
    public boolean bool(String name, boolean dflt) {
        String v = query(name);
        if (v == null) return dflt;
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        return !(s.isEmpty() || s.equals("0") || s.equals("false") || s.equals("no"));
    }

    public long longQuery(String name, long dflt) {
        String v = query(name);
        if (v == null || v.isEmpty()) return dflt;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("invalid value for " + name + ": \"" + v + "\": not an integer");
        }
    }

    /**
     * docker's {@code filters} parameter: a JSON object of lists ({@code {"label":["a=b"]}}), or
     * the older object of sets ({@code {"label":{"a=b":true}}}).
     */
    public Map<String, List<String>> filters() {
        String f = query("filters");
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (f == null || f.isBlank()) return out;
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(f);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("invalid filter: " + e.getOriginalMessage());
        }
        if (!n.isObject()) throw ApiError.badRequest("invalid filter: not a JSON object");
        for (var e : n.properties()) {
            List<String> vs = new ArrayList<>();
            JsonNode v = e.getValue();
            if (v.isArray()) v.forEach(x -> vs.add(x.asText()));
            else if (v.isObject()) v.properties().forEach(x -> {
                if (x.getValue().asBoolean()) vs.add(x.getKey());
            });
            else throw ApiError.badRequest("invalid filter: values of \"" + e.getKey() + "\" are not a list");
            out.put(e.getKey(), vs);
        }
        return out;
    }

    /** The whole body (empty for streamed routes). */
    public byte[] body() {
        return body == null ? new byte[0] : body;
    }

    /** The body as JSON: an empty body is an empty object; malformed JSON is docker's 400. */
    public JsonNode json() {
        byte[] b = body();
        if (b.length == 0) return Json.MAPPER.createObjectNode();
        try {
            JsonNode n = Json.MAPPER.readTree(b);
            return n == null ? Json.MAPPER.createObjectNode() : n;
        } catch (IOException e) {
            throw ApiError.badRequest("invalid JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    /** The body as a JSON object (400 otherwise). */
    public ObjectNode jsonObject() {
        JsonNode n = json();
        if (n instanceof ObjectNode o) return o;
        throw ApiError.badRequest("invalid JSON: expected an object, got " + n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
    }

    /** The body as it arrives, for streamed routes. */
    public InputStream bodyStream() {
        if (bodyStream == null) return new java.io.ByteArrayInputStream(body());
        return bodyStream;
    }
}
