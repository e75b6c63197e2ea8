package dev.jbuild.cli;

import dev.jbuild.layercache.registry.RegistryConfig;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.registry.auth.DockerConfigCredentials;
import dev.jbuild.layercache.registry.auth.DockerConfigFile;
import dev.jbuild.layercache.registry.auth.RegistryCredential;
import dev.jbuild.layercache.registry.http.HttpRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Verifies credentials against a registry and saves them in Docker's config.json. */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = {
      "Log in to a registry: check the credentials, then save them as docker login does",
      "($DOCKER_CONFIG/config.json or ~/.docker/config.json, or its credential helper)."
    })
public final class LoginCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SERVER",
      defaultValue = "docker.io",
      description = "Registry host (default: docker.io).")
  String server;

  @Option(
      names = {"-u", "--username"},
      description = "User name.")
  String username;

  @Option(
      names = {"-p", "--password"},
      description = "Password (prefer --password-stdin).")
  String password;

  @Option(names = "--password-stdin", description = "Read the password from standard input.")
  boolean passwordStdin;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() {
    String host = normalizeServer(server);
    boolean passwordOnCommandLine = password != null;
    if (password != null && passwordStdin) {
      throw new UserException(ExitCodes.USAGE, "--password and --password-stdin are exclusive");
    }
    if (passwordStdin) {
      if (username == null) {
        throw new UserException(ExitCodes.USAGE, "--password-stdin needs --username");
      }
      try {
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        password = line == null ? "" : line.strip();
      } catch (IOException e) {
        throw new UserException(ExitCodes.FAILED, "cannot read the password from stdin", e);
      }
    }
    var console = System.console();
    if (username == null) {
      if (console == null) {
        throw new UserException(ExitCodes.USAGE, "no terminal: give --username");
      }
      username = console.readLine("Username: ");
    }
    if (password == null) {
      if (console == null) {
        throw new UserException(ExitCodes.USAGE, "no terminal: give --password-stdin");
      }
      char[] pw = console.readPassword("Password: ");
      password = pw == null ? "" : new String(pw);
    }
    if (username == null || username.isBlank() || password.isEmpty()) {
      throw new UserException(ExitCodes.USAGE, "user name and password must not be empty");
    }
    var err = spec.commandLine().getErr();
    if (passwordOnCommandLine) {
      err.println(
          "jbuild: warning: --password on the command line is visible to other users; "
              + "use --password-stdin");
    }
    var credential = RegistryCredential.basic(username, password);
    RegistryConfig config;
    try {
      config = RegistryConfig.load(env);
    } catch (IOException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage(), e);
    }
    try (var registry =
        new HttpRegistry(host, config, CredentialStore.of(Map.of(host, credential)))) {
      registry.ping();
    } catch (IOException e) {
      throw RegistryCli.userError(e);
    }
    var file = new DockerConfigFile(DockerConfigCredentials.defaultConfigFile(env));
    String where;
    try {
      where = file.store(host, credential);
    } catch (IOException e) {
      throw new UserException(ExitCodes.FAILED, e.getMessage(), e);
    }
    var out = spec.commandLine().getOut();
    out.println("Credentials saved in " + where);
    out.println("Login Succeeded");
    out.flush();
    return ExitCodes.OK;
  }

  /** {@code https://host/} or {@code host} -> {@code host}; Docker Hub's names -> docker.io. */
  static String normalizeServer(String server) {
    String s = server.strip();
    if (s.startsWith("https://")) {
      s = s.substring(8);
    } else if (s.startsWith("http://")) {
      s = s.substring(7);
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    return switch (s) {
      case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> "docker.io";
      default -> s;
    };
  }
}
