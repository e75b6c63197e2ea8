package dev.jbuild.layercache.registry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpClient;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

class LazySslContextTest {
  @Test
  void anHttpClientBuiltOnItDoesNotMakeTheRealContext() throws Exception {
    AtomicInteger made = new AtomicInteger();
    SSLContext lazy =
        new LazySslContext(
            () -> {
              made.incrementAndGet();
              return Tls.trustAll();
            });
    try (HttpClient client =
        HttpClient.newBuilder()
            .sslContext(lazy)
            .sslParameters(LazySslContext.defaultParameters())
            .build()) {
      assertEquals(0, made.get(), "building the client made the SSL context");
      assertEquals(lazy, client.sslContext());
    }
  }

  @Test
  void theFirstEngineMakesTheRealContextOnceAndKeepsItsDefaults() throws Exception {
    AtomicInteger made = new AtomicInteger();
    SSLContext real = SSLContext.getDefault();
    SSLContext lazy =
        new LazySslContext(
            () -> {
              made.incrementAndGet();
              return real;
            });
    SSLEngine engine = lazy.createSSLEngine("registry.example", 443);
    lazy.createSSLEngine();
    assertEquals(1, made.get());
    // an engine of the stand-in is the real context's: the same default protocols and suites
    SSLEngine direct = real.createSSLEngine("registry.example", 443);
    assertEquals(
        java.util.List.of(direct.getEnabledProtocols()),
        java.util.List.of(engine.getEnabledProtocols()));
    assertEquals(
        java.util.List.of(direct.getEnabledCipherSuites()),
        java.util.List.of(engine.getEnabledCipherSuites()));
    assertEquals("registry.example", engine.getPeerHost());
  }
}
