package dev.jbuild.runner.runc;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The fatal error runc prints on its stderr as it exits ("runc run failed: ..."): it also goes to
 * the runtime log, from which jbuild reports it once, so the copy on the container's stderr stream
 * is dropped.
 */
final class RuntimeMessages {
  private static final List<String> PREFIXES = List.of("runc run failed: ", "runc create failed: ");

  private RuntimeMessages() {}

  static boolean isRuntimeFailure(String line) {
    for (String p : PREFIXES) {
      if (line.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  static boolean isRuntimeFailure(byte[] chunk, int length) {
    int n = Math.min(length, 32);
    return isRuntimeFailure(new String(chunk, 0, n, StandardCharsets.UTF_8));
  }

  static String withoutPrefix(String message) {
    for (String p : PREFIXES) {
      if (message.startsWith(p)) {
        return message.substring(p.length());
      }
    }
    return message;
  }
}
