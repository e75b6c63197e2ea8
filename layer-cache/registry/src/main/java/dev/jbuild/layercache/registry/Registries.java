package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.registry.auth.DockerConfigCredentials;
import dev.jbuild.layercache.registry.http.HttpRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Opens {@link Registry} clients by host (one per host, shared by threads, closed together) and
 * knows where an image can be pulled from: its mirrors first, then the registry itself.
 */
public final class Registries implements AutoCloseable {
  private final RegistryConfig config;
  private final CredentialStore credentials;
  private final ConcurrentHashMap<String, Registry> open = new ConcurrentHashMap<>();

  /** A repository on a registry (a mirror or the image's own registry). */
  public record Source(Registry registry, String repository, boolean mirror) {
    public String describe() {
      return registry.host() + "/" + repository;
    }
  }

  public Registries(RegistryConfig config, CredentialStore credentials) {
    this.config = Objects.requireNonNull(config, "config");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
  }

  /**
   * Configuration from the environment: registries.json (see {@link RegistryConfig#locate}) and
   * credentials from Docker's config.json ({@code $DOCKER_CONFIG}) and its credential helpers.
   */
  public static Registries fromEnvironment(Map<String, String> env, Consumer<String> warnings)
      throws IOException {
    return new Registries(
        RegistryConfig.load(env),
        new DockerConfigCredentials(DockerConfigCredentials.defaultConfigFile(env), warnings));
  }

  public RegistryConfig config() {
    return config;
  }

  public CredentialStore credentials() {
    return credentials;
  }

  /** The client for a host (as written in references: {@code docker.io}, {@code host:5000}). */
  public Registry registry(String host) throws IOException {
    Registry r = open.get(host);
    if (r != null) {
      return r;
    }
    synchronized (open) {
      r = open.get(host);
      if (r == null) {
        r = new HttpRegistry(host, config, credentials);
        open.put(host, r);
      }
      return r;
    }
  }

  /** Where to pull {@code ref} from, in order: each configured mirror, then its registry. */
  public List<Source> pullSources(ImageReference ref) throws IOException {
    var out = new ArrayList<Source>();
    for (String mirror : config.mirrors(ref.registry())) {
      int slash = mirror.indexOf('/');
      String host = slash < 0 ? mirror : mirror.substring(0, slash);
      String prefix = slash < 0 ? "" : mirror.substring(slash + 1) + "/";
      out.add(new Source(registry(host), prefix + ref.repository(), true));
    }
    out.add(new Source(registry(ref.registry()), ref.repository(), false));
    return out;
  }

  /** Where to push {@code ref}: its own registry, never a mirror. */
  public Source pushTarget(ImageReference ref) throws IOException {
    return new Source(registry(ref.registry()), ref.repository(), false);
  }

  @Override
  public void close() {
    open.values().forEach(Registry::close);
    open.clear();
  }
}
