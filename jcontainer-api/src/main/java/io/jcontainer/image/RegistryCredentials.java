package io.jcontainer.image;

import java.util.Objects;

/**
 * Credentials for one registry given with one request (docker's {@code X-Registry-Auth}): they
 * take precedence over the stored docker config for that registry only, are sent to that
 * registry's origin only (and to the token service it names), and are never stored or logged —
 * {@link #toString()} shows the user name, never the secret.
 *
 * @param username      the user (may be empty with an identity token)
 * @param secret        the password, or the identity token when {@code identityToken}
 * @param identityToken true when {@code secret} is an OAuth identity (refresh) token
 */
public record RegistryCredentials(String username, String secret, boolean identityToken) {
    public RegistryCredentials {
        username = username == null ? "" : username;
        Objects.requireNonNull(secret, "secret");
    }

    /** A user name and password (Basic, or exchanged for a Bearer token). */
    public static RegistryCredentials password(String username, String password) {
        return new RegistryCredentials(username, password, false);
    }

    /** An identity token ({@code docker login}'s {@code IdentityToken}). */
    public static RegistryCredentials identityToken(String token) {
        return new RegistryCredentials("", token, true);
    }

    @Override
    public String toString() {
        return "RegistryCredentials[" + (identityToken ? "identity token" : "user " + username) + "]";
    }
}
