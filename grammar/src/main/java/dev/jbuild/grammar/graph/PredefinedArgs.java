package dev.jbuild.grammar.graph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ARGs Docker predefines.
 *
 * <ul>
 *   <li>Platform ARGs (BUILDPLATFORM, BUILDOS, BUILDARCH, BUILDVARIANT, TARGETPLATFORM, TARGETOS,
 *       TARGETARCH, TARGETVARIANT): set automatically in the global scope, so FROM lines can use
 *       them; inside a stage they are visible only after {@code ARG NAME} (BuildKit's rule).
 *   <li>Proxy ARGs (HTTP_PROXY, HTTPS_PROXY, FTP_PROXY, NO_PROXY, ALL_PROXY, upper and lower case):
 *       a {@code --build-arg} of these reaches every RUN's environment without an ARG line, and is
 *       left out of the cache key and the history (so a proxy change does not rebuild); once
 *       declared with ARG they are ordinary ARGs.
 * </ul>
 */
public final class PredefinedArgs {
  private PredefinedArgs() {}

  public static final List<String> PROXY =
      List.of(
          "HTTP_PROXY",
          "http_proxy",
          "HTTPS_PROXY",
          "https_proxy",
          "FTP_PROXY",
          "ftp_proxy",
          "NO_PROXY",
          "no_proxy",
          "ALL_PROXY",
          "all_proxy");

  public static final Set<String> PROXY_SET = Set.copyOf(PROXY);

  public static final List<String> PLATFORM =
      List.of(
          "BUILDPLATFORM",
          "BUILDOS",
          "BUILDARCH",
          "BUILDVARIANT",
          "TARGETPLATFORM",
          "TARGETOS",
          "TARGETARCH",
          "TARGETVARIANT");

  /** The platform ARGs for a build on {@code build} producing {@code target}. */
  public static Map<String, String> platform(PlatformSpec target, PlatformSpec build) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("BUILDPLATFORM", build.toString());
    m.put("BUILDOS", build.os());
    m.put("BUILDARCH", build.architecture());
    m.put("BUILDVARIANT", build.variant());
    m.put("TARGETPLATFORM", target.toString());
    m.put("TARGETOS", target.os());
    m.put("TARGETARCH", target.architecture());
    m.put("TARGETVARIANT", target.variant());
    return m;
  }
}
