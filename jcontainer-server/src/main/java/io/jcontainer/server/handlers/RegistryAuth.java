package io.jcontainer.server.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.image.RegistryCredentials;
import io.jcontainer.server.http.ApiError;
import io.jcontainer.server.http.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * docker's per-request registry credentials: {@code X-Registry-Auth} (one AuthConfig, on pull and
 * push) and {@code X-Registry-Config} (registry → AuthConfig, on build), base64url-encoded JSON.
 * Decoded as the daemon does: a missing or empty header, {@code {}}, or an AuthConfig with no
 * user and no token is "none" (the service's stored credentials, if any, then apply); anything
 * undecodable is a 400. The decoded secrets live only in the request: never logged, never stored.
 */
final class RegistryAuth {
    private RegistryAuth() {
    }

    /** {@code X-Registry-Auth}: the credentials, or null for none. */
    static RegistryCredentials auth(String header) {
        JsonNode n = decode(header, "X-Registry-Auth");
        return n == null ? null : credentials(n, "X-Registry-Auth");
    }

    /** {@code X-Registry-Config}: credentials by registry host ({@code docker.io} for Docker Hub's index URL). */
    static Map<String, RegistryCredentials> config(String header) {
        JsonNode n = decode(header, "X-Registry-Config");
        Map<String, RegistryCredentials> out = new LinkedHashMap<>();
        if (n == null) return out;
        // Older clients wrap the map in {"configs": {...}}; the current CLI sends the map itself.
        JsonNode map = n.has("configs") && n.get("configs").isObject() ? n.get("configs") : n;
        for (var e : map.properties()) {
            if (!e.getValue().isObject()) throw ApiError.badRequest("invalid X-Registry-Config header: " + e.getKey() + " is not an object");
            RegistryCredentials c = credentials(e.getValue(), "X-Registry-Config");
            if (c != null) out.put(AuthHandler.registryOf(e.getKey()), c);
        }
        return out;
    }

    private static JsonNode decode(String header, String name) {
        if (header == null || header.isBlank()) return null;
        byte[] json;
        try {
            // docker's CLI writes base64url with padding; accept it without padding and in the
            // standard alphabet too (other clients), as the same bytes.
            String s = header.trim().replace('+', '-').replace('/', '_').replace("=", "");
            json = Base64.getUrlDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("invalid " + name + " header: must be a valid base64url-encoded string");
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw ApiError.badRequest("invalid " + name + " header: must be a valid JSON");
        }
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (!n.isObject()) throw ApiError.badRequest("invalid " + name + " header: must be a valid JSON");
        return n.isEmpty() ? null : n;
    }

    /** One AuthConfig: identitytoken, else username/password, else {@code auth} (base64 user:password). */
    private static RegistryCredentials credentials(JsonNode n, String name) {
        String token = n.path("identitytoken").asText("");
        if (!token.isEmpty()) return new RegistryCredentials(n.path("username").asText(""), token, true);
        String user = n.path("username").asText("");
        String password = n.path("password").asText("");
        String auth = n.path("auth").asText("");
        if (user.isEmpty() && !auth.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("invalid " + name + " header: auth is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) throw ApiError.badRequest("invalid " + name + " header: auth is not user:password");
            user = decoded.substring(0, colon);
            password = decoded.substring(colon + 1);
        }
        if (user.isEmpty()) return null;
        return RegistryCredentials.password(user, password);
    }
}
