package dev.jbuild.cli;

import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.registry.RegistryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;

/** What the registry commands share: opening {@link Registries}, mapping errors to exit codes. */
final class RegistryCli {
  private RegistryCli() {}

  static Registries registries(Map<String, String> env, PrintWriter err) {
    try {
      return Registries.fromEnvironment(env, w -> err.println("jbuild: warning: " + w));
    } catch (IOException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage(), e);
    }
  }

  static dev.jbuild.layercache.model.ImageReference parseReference(String text) {
    try {
      return dev.jbuild.layercache.model.ImageReference.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UserException(
          ExitCodes.USAGE, "invalid reference \"" + text + "\": " + e.getMessage());
    }
  }

  static dev.jbuild.layercache.model.Platform parsePlatform(String text) {
    if (text == null || text.isBlank()) {
      return dev.jbuild.layercache.model.Platform.host();
    }
    try {
      return dev.jbuild.layercache.model.Platform.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage());
    }
  }

  /** A registry failure as a one-line user error with its exit code. */
  static UserException userError(IOException e) {
    if (e instanceof RegistryException r) {
      int code =
          r.kind() == RegistryException.Kind.NOT_FOUND ? ExitCodes.NOT_FOUND : ExitCodes.REGISTRY;
      return new UserException(code, r.getMessage(), r);
    }
    return new UserException(
        ExitCodes.FAILED, e.getMessage() == null ? e.toString() : e.getMessage(), e);
  }
}
