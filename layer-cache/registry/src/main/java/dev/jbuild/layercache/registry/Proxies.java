package dev.jbuild.layercache.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP proxies from the environment, as Docker and Go read them: {@code HTTPS_PROXY} for https
 * registries, {@code HTTP_PROXY} for plain-HTTP ones (lower-case names too), {@code NO_PROXY} a
 * comma list of hosts, domain suffixes ({@code .corp} or {@code corp} match {@code x.corp}), {@code
 * host:port}, or {@code *}. Loopback registries are never proxied. Proxy authentication is not
 * supported.
 */
public record Proxies(Optional<URI> http, Optional<URI> https, List<String> noProxy) {
  public Proxies {
    noProxy = List.copyOf(noProxy);
  }

  public static final Proxies NONE = new Proxies(Optional.empty(), Optional.empty(), List.of());

  public static Proxies fromEnvironment(Map<String, String> env) {
    return new Proxies(
        proxy(env, "HTTP_PROXY"), proxy(env, "HTTPS_PROXY"), noProxy(get(env, "NO_PROXY")));
  }

  public boolean isEmpty() {
    return http.isEmpty() && https.isEmpty();
  }

  private static String get(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      v = env.get(name.toLowerCase(Locale.ROOT));
    }
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static Optional<URI> proxy(Map<String, String> env, String name) {
    String v = get(env, name);
    if (v == null) {
      return Optional.empty();
    }
    URI u = URI.create(v.contains("://") ? v : "http://" + v);
    if (u.getHost() == null) {
      throw new IllegalArgumentException(name + " is not a proxy URL: " + v);
    }
    return Optional.of(u);
  }

  private static List<String> noProxy(String v) {
    var out = new ArrayList<String>();
    if (v != null) {
      for (String p : v.split(",")) {
        if (!p.isBlank()) {
          out.add(p.strip().toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  /** The proxy for a request to {@code uri}, if any. */
  public Optional<URI> proxyFor(URI uri) {
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort();
    if (RegistryConfig.isLoopback(host)) {
      return Optional.empty();
    }
    for (String p : noProxy) {
      if (p.equals("*")) {
        return Optional.empty();
      }
      String pHost = p;
      int pPort = -1;
      int colon = p.lastIndexOf(':');
      if (colon > 0 && p.indexOf(':') == colon) {
        pHost = p.substring(0, colon);
        pPort = Integer.parseInt(p.substring(colon + 1));
      }
      if (pPort >= 0 && pPort != port) {
        continue;
      }
      String suffix = pHost.startsWith(".") ? pHost.substring(1) : pHost;
      if (host.equals(suffix) || host.endsWith("." + suffix)) {
        return Optional.empty();
      }
    }
    return "https".equals(uri.getScheme()) ? https : http;
  }

  /** A selector for the JDK client. */
  public ProxySelector selector() {
    return new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        return proxyFor(uri)
            .map(
                p ->
                    List.of(
                        new Proxy(
                            Proxy.Type.HTTP,
                            InetSocketAddress.createUnresolved(
                                p.getHost(), p.getPort() < 0 ? 80 : p.getPort()))))
            .orElse(List.of(Proxy.NO_PROXY));
      }

      @Override
      public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
    };
  }
}
