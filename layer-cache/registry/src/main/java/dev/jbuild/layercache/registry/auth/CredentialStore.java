package dev.jbuild.layercache.registry.auth;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/** Where credentials come from: looked up by registry host, only when a registry asks for them. */
@FunctionalInterface
public interface CredentialStore {
  Optional<RegistryCredential> find(String host) throws IOException;

  /** No credentials anywhere (anonymous access). */
  static CredentialStore none() {
    return host -> Optional.empty();
  }

  /** Fixed credentials per host (tests, {@code jbuild login} verifying before it saves). */
  static CredentialStore of(Map<String, RegistryCredential> byHost) {
    Map<String, RegistryCredential> copy = Map.copyOf(byHost);
    return host -> Optional.ofNullable(copy.get(host));
  }

  /** This store first, then {@code other}. */
  default CredentialStore orElse(CredentialStore other) {
    return host -> {
      Optional<RegistryCredential> c = find(host);
      return c.isPresent() ? c : other.find(host);
    };
  }
}
