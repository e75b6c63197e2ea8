package dev.jbuild.layercache.registry.auth;

import java.util.Objects;

/**
 * A credential for one registry: a user name and password, or an identity (refresh) token as
 * Docker's config.json keeps it for OAuth2 registries. {@link #toString()} never shows the secret.
 */
public record RegistryCredential(String username, String secret, boolean identityToken) {
  public RegistryCredential {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(secret, "secret");
  }

  public static RegistryCredential basic(String username, String password) {
    return new RegistryCredential(username, password, false);
  }

  @Override
  public String toString() {
    return "RegistryCredential[" + username + (identityToken ? ", identity token" : "") + "]";
  }
}
