package dev.jbuild.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Mutual TLS to a daemon, as docker's {@code --tlsverify}: the daemon's certificate must chain to
 * the CA in {@code --tlscacert} and name the host; the client presents {@code --tlscert} with
 * {@code --tlskey} (PEM; a PKCS#8 key, or an RSA key in PKCS#1 as openssl genrsa writes it).
 */
final class ClientTls {
  private ClientTls() {}

  static Socket connect(ClientOptions o, String host, int port) throws IOException {
    SSLContext ctx;
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int n = 0;
      for (Certificate c : certificates(o.caCert())) {
        trust.setCertificateEntry("ca" + n++, c);
      }
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] pw = "jbuild".toCharArray();
      keys.setKeyEntry(
          "client", privateKey(o.key()), pw, certificates(o.cert()).toArray(Certificate[]::new));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, pw);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    } catch (GeneralSecurityException e) {
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

  private static List<? extends Certificate> certificates(Path pem) throws IOException {
    try (InputStream in = Files.newInputStream(pem)) {
      List<? extends Certificate> certs =
          List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certs.isEmpty()) {
        throw new UserException(ExitCodes.USAGE, "no certificate in " + pem);
      }
      return certs;
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UserException(ExitCodes.USAGE, "TLS: no such file: " + pem);
    } catch (GeneralSecurityException e) {
      throw new UserException(ExitCodes.USAGE, "TLS: " + pem + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path pem) throws IOException {
    String text;
    try {
      text = Files.readString(pem, StandardCharsets.US_ASCII);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UserException(ExitCodes.USAGE, "TLS: no such file: " + pem);
    }
    boolean pkcs1 = text.contains("-----BEGIN RSA PRIVATE KEY-----");
    String type = pkcs1 ? "RSA PRIVATE KEY" : "PRIVATE KEY";
    int begin = text.indexOf("-----BEGIN " + type + "-----");
    int end = text.indexOf("-----END " + type + "-----");
    if (begin < 0 || end < begin) {
      throw new UserException(
          ExitCodes.USAGE,
          "TLS: "
              + pem
              + ": expected a PKCS#8 or RSA private key in PEM (openssl pkcs8 -topk8 -nocrypt"
              + " converts others)");
    }
    String b64 = text.substring(begin + type.length() + 16, end).replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(b64);
    if (pkcs1) {
      der = pkcs8OfRsa(der);
    }
    for (String alg : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // the next algorithm
      }
    }
    throw new UserException(ExitCodes.USAGE, "TLS: " + pem + ": unsupported private key");
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo. */
  private static byte[] pkcs8OfRsa(byte[] pkcs1) {
    byte[] algorithm = {
      0x02,
      0x01,
      0x00, // version 0
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00 // rsaEncryption, NULL
    };
    byte[] octets = concat(tag(0x04, pkcs1.length), pkcs1);
    byte[] body = concat(algorithm, octets);
    return concat(tag(0x30, body.length), body);
  }

  private static byte[] tag(int tag, int length) {
    if (length < 0x80) {
      return new byte[] {(byte) tag, (byte) length};
    }
    if (length < 0x100) {
      return new byte[] {(byte) tag, (byte) 0x81, (byte) length};
    }
    if (length < 0x10000) {
      return new byte[] {(byte) tag, (byte) 0x82, (byte) (length >> 8), (byte) length};
    }
    return new byte[] {
      (byte) tag, (byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length
    };
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
