package dev.jbuild.layercache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.registry.http.HttpRegistry;
import dev.jbuild.testing.LoopbackHttpServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ProxiesTest {
  @Test
  void environmentRulesLikeDockerAndGo() {
    Proxies p =
        Proxies.fromEnvironment(
            Map.of(
                "HTTPS_PROXY", "proxy.corp:3128",
                "http_proxy", "http://plain.corp:8080",
                "NO_PROXY", "internal.corp, .svc,registry.local:5000"));
    assertEquals(
        Optional.of(URI.create("http://proxy.corp:3128")),
        p.proxyFor(URI.create("https://registry-1.docker.io/v2/")));
    assertEquals(
        Optional.of(URI.create("http://plain.corp:8080")),
        p.proxyFor(URI.create("http://reg.example:5000/v2/")));
    assertEquals(Optional.empty(), p.proxyFor(URI.create("https://internal.corp/v2/")));
    assertEquals(Optional.empty(), p.proxyFor(URI.create("https://a.internal.corp/v2/")));
    assertEquals(Optional.empty(), p.proxyFor(URI.create("https://x.svc/v2/")));
    assertEquals(Optional.empty(), p.proxyFor(URI.create("http://registry.local:5000/v2/")));
    assertTrue(p.proxyFor(URI.create("http://registry.local:6000/v2/")).isPresent());
    assertEquals(Optional.empty(), p.proxyFor(URI.create("http://127.0.0.1:5000/v2/")));
    assertEquals(Optional.empty(), p.proxyFor(URI.create("http://localhost:5000/v2/")));
    assertEquals(
        Optional.empty(),
        Proxies.fromEnvironment(Map.of("HTTPS_PROXY", "p:1", "NO_PROXY", "*"))
            .proxyFor(URI.create("https://anything/")));
    assertTrue(Proxies.fromEnvironment(Map.of()).isEmpty());
  }

  @Test
  void requestsGoThroughTheProxy() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (LoopbackHttpServer proxy =
        LoopbackHttpServer.start(
            "/",
            x -> {
              seen.add(x.getRequestMethod() + " " + x.getRequestURI());
              byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
              if (x.getRequestURI().getPath().equals("/v2/")) {
                x.sendResponseHeaders(200, body.length);
                x.getResponseBody().write(body);
              } else {
                x.sendResponseHeaders(404, -1);
              }
              x.close();
            })) {
      String host = "registry.invalid:5000";
      RegistryConfig config =
          RegistryConfig.empty()
              .withHost(host, new RegistryConfig.HostConfig(List.of(), true, null))
              .withProxies(Proxies.fromEnvironment(Map.of("HTTP_PROXY", proxy.host())));
      try (var reg = new HttpRegistry(host, config, CredentialStore.none())) {
        assertTrue(reg.getManifest("a/b", "1").isEmpty());
      }
      assertTrue(
          seen.contains("GET http://registry.invalid:5000/v2/a/b/manifests/1"), seen.toString());
    }
  }
}
