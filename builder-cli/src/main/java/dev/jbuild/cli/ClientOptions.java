package dev.jbuild.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The client mode's options, as docker's: {@code -H/--host} (else JBUILD_HOST), {@code --tlsverify}
 * (else a non-empty JBUILD_TLS_VERIFY), {@code --tlscacert/--tlscert/--tlskey} (default {@code
 * ca.pem}, {@code cert.pem}, {@code key.pem} in JBUILD_CERT_PATH, else {@code ~/.jbuild}); {@code
 * rest} is the command line without them.
 */
record ClientOptions(
    String host, boolean tlsVerify, Path caCert, Path cert, Path key, String[] rest) {

  static ClientOptions parse(String[] args, Map<String, String> env) {
    String host = null;
    Boolean verify = null;
    String ca = null;
    String cert = null;
    String key = null;
    List<String> rest = new ArrayList<>();
    int end = Main.afterGlobalOptions(args);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i >= end || !Main.isClientOption(a)) {
        rest.add(a);
        continue;
      }
      int eq = a.indexOf('=');
      String name = eq < 0 ? a : a.substring(0, eq);
      String value;
      if (name.equals("--tlsverify")) {
        value = eq < 0 ? "true" : a.substring(eq + 1);
        if (!value.equals("true") && !value.equals("false")) {
          throw new UserException(ExitCodes.USAGE, "invalid --tlsverify value: " + value);
        }
        verify = value.equals("true");
        continue;
      }
      if (eq >= 0) {
        value = a.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UserException(ExitCodes.USAGE, name + " needs a value");
      }
      switch (name) {
        case "-H", "--host" -> host = value;
        case "--tlscacert" -> ca = value;
        case "--tlscert" -> cert = value;
        default -> key = value;
      }
    }
    if (host == null) {
      host = env.get("JBUILD_HOST");
    }
    if (host == null || host.isEmpty()) {
      throw new UserException(
          ExitCodes.USAGE, "--tls options need a daemon: give --host or set JBUILD_HOST");
    }
    if (!host.startsWith("unix://") && !host.startsWith("tcp://")) {
      throw new UserException(
          ExitCodes.USAGE,
          "invalid --host \"" + host + "\": expected unix://PATH or tcp://HOST:PORT");
    }
    boolean tls = verify != null ? verify : notEmpty(env.get("JBUILD_TLS_VERIFY"));
    String dir = env.get("JBUILD_CERT_PATH");
    Path certDir =
        notEmpty(dir)
            ? Path.of(dir)
            : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".jbuild");
    boolean tlsFiles = ca != null || cert != null || key != null;
    return new ClientOptions(
        host,
        tls || tlsFiles,
        ca != null ? Path.of(ca) : certDir.resolve("ca.pem"),
        cert != null ? Path.of(cert) : certDir.resolve("cert.pem"),
        key != null ? Path.of(key) : certDir.resolve("key.pem"),
        rest.toArray(String[]::new));
  }

  private static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }
}
