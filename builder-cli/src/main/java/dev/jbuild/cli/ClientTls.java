package dev.jbuild.cli;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Mutual TLS to a daemon, as docker's {@code --tlsverify}: the daemon's certificate must chain to
 * the CA in {@code --tlscacert} and name the host it was reached by; the client presents {@code
 * --tlscert} with {@code --tlskey}. The PEM files are read by the daemon's own {@link
 * dev.jbuild.serve.TlsSetup} (PKCS#8 keys, RSA or EC, and PKCS#1 RSA keys).
 */
final class ClientTls {
  private ClientTls() {}

  static Socket connect(ClientOptions o, String host, int port) throws IOException {
    SSLContext ctx;
    try {
      ctx = dev.jbuild.serve.TlsSetup.context(o.caCert(), o.cert(), o.key());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UserException(ExitCodes.USAGE, "TLS: no such file: " + e.getFile());
    } catch (IOException e) {
      throw new UserException(ExitCodes.USAGE, "TLS: " + e.getMessage(), e);
    }
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
    SSLParameters p = s.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(p);
    ClientConnection.connect(s, host, port);
    s.startHandshake();
    return s;
  }
}
