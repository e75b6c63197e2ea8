package dev.jbuild.layercache.registry.http;

import java.security.SecureRandom;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An SSL context made at its first use. The JDK's HTTP client asks for its SSL context when it is
 * built, and making one (the TLS provider's cipher suites, named curves, algorithm constraints) is
 * 40-150 ms of a cold start; a pull from an insecure registry that speaks plain HTTP (a local one,
 * as in most CI jobs) never uses it. The client gets this stand-in and {@link #defaultParameters()}
 * (no protocols or cipher suites set, so an engine keeps the real context's defaults: what the
 * client's own default parameters would hold); the real context is made when a TLS connection asks
 * for its first engine.
 */
final class LazySslContext extends SSLContext {
  /** Parameters that change nothing on an engine (see the class comment). */
  static SSLParameters defaultParameters() {
    return new SSLParameters();
  }

  LazySslContext(Supplier<SSLContext> make) {
    super(new Spi(make), null, "TLS");
  }

  private static final class Spi extends SSLContextSpi {
    private final Supplier<SSLContext> make;
    private volatile SSLContext real;

    Spi(Supplier<SSLContext> make) {
      this.make = make;
    }

    private SSLContext real() {
      SSLContext r = real;
      if (r == null) {
        synchronized (this) {
          r = real;
          if (r == null) {
            r = make.get();
            real = r;
          }
        }
      }
      return r;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
      throw new UnsupportedOperationException("a lazy SSL context is made by its supplier");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return real().getSocketFactory();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return real().getServerSocketFactory();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return real().createSSLEngine();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      return real().createSSLEngine(host, port);
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return real().getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return real().getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return real().getDefaultSSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return real().getSupportedSSLParameters();
    }
  }
}
