package dev.jbuild.cli;

import dev.jbuild.layercache.registry.auth.DockerConfigCredentials;
import dev.jbuild.layercache.registry.auth.DockerConfigFile;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Removes a registry's saved credentials. */
@Command(
    name = "logout",
    mixinStandardHelpOptions = true,
    description = "Remove the saved credentials of a registry (as docker logout does).")
public final class LogoutCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SERVER",
      defaultValue = "docker.io",
      description = "Registry host (default: docker.io).")
  String server;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() {
    String host = LoginCommand.normalizeServer(server);
    var file = new DockerConfigFile(DockerConfigCredentials.defaultConfigFile(env));
    boolean removed;
    try {
      removed = file.erase(host);
    } catch (IOException e) {
      throw new UserException(ExitCodes.FAILED, e.getMessage(), e);
    }
    var out = spec.commandLine().getOut();
    out.println(removed ? "Removing login credentials for " + host : "Not logged in to " + host);
    out.flush();
    return ExitCodes.OK;
  }
}
