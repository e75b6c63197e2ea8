package dev.jbuild.layercache.registry.auth;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.registry.credentials.DockerConfigCredentialRetriever;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Credentials from Docker's {@code config.json}, read by Jib Core: {@code auths} (base64 {@code
 * auth}, {@code identitytoken}), {@code credHelpers} per registry and {@code credsStore}, whose
 * {@code docker-credential-NAME} helper is run from {@code PATH}. Docker Hub's aliases ({@code
 * docker.io}, {@code index.docker.io}, {@code https://index.docker.io/v1/}, ...) are matched as
 * Docker does. The file is {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}.
 */
public final class DockerConfigCredentials implements CredentialStore {
  private final Path configFile;
  private final Consumer<String> warnings;

  public DockerConfigCredentials(Path configFile, Consumer<String> warnings) {
    this.configFile = Objects.requireNonNull(configFile, "configFile");
    this.warnings = Objects.requireNonNull(warnings, "warnings");
  }

  /** The config.json Docker would use in this environment. */
  public static Path defaultConfigFile(Map<String, String> env) {
    String dir = env.get("DOCKER_CONFIG");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir).resolve("config.json");
    }
    return Path.of(System.getProperty("user.home"), ".docker", "config.json");
  }

  public Path configFile() {
    return configFile;
  }

  @Override
  public Optional<RegistryCredential> find(String host) throws IOException {
    Consumer<LogEvent> logger =
        e -> {
          if (e.getLevel() == LogEvent.Level.WARN || e.getLevel() == LogEvent.Level.ERROR) {
            warnings.accept(e.getMessage());
          }
        };
    Optional<Credential> found;
    try {
      found = DockerConfigCredentialRetriever.create(host, configFile).retrieve(logger);
    } catch (IOException e) {
      throw new IOException(
          "cannot read credentials from " + configFile + ": " + e.getMessage(), e);
    }
    return found.map(DockerConfigCredentials::convert);
  }

  private static RegistryCredential convert(Credential c) {
    return c.isOAuth2RefreshToken()
        ? new RegistryCredential(c.getUsername(), c.getPassword(), true)
        : RegistryCredential.basic(c.getUsername(), c.getPassword());
  }
}
