package dev.jbuild.serve;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;

/**
 * Mutual TLS as docker's {@code --tlsverify --tlscacert --tlscert --tlskey}: the server's
 * certificate and key, and client certificates verified against the CA (a client without one fails
 * the handshake). PEM files as openssl writes them: certificates, PKCS#8 keys ({@code BEGIN PRIVATE
 * KEY}, RSA or EC) and PKCS#1 RSA keys ({@code BEGIN RSA PRIVATE KEY}).
 */
public final class TlsSetup {
  private TlsSetup() {}

  /** Bounds on the PEM files read (a certificate chain is a few KiB). */
  private static final long MAX_PEM = 1 << 20;

  public static SSLContext context(Path caCert, Path cert, Path key) throws IOException {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      List<X509Certificate> chain = certificates(cert);
      keys.setKeyEntry("server", privateKey(key), new char[0], chain.toArray(new Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (X509Certificate ca : certificates(caCert)) {
        trust.setCertificateEntry("ca" + i++, ca);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static byte[] read(Path file) throws IOException {
    if (Files.size(file) > MAX_PEM) {
      throw new IOException(file + ": larger than " + MAX_PEM + " bytes");
    }
    return Files.readAllBytes(file);
  }

  static List<X509Certificate> certificates(Path file) throws IOException {
    try {
      Collection<? extends Certificate> all =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(read(file)));
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : all) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IOException(file + ": no certificate in it");
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": not a PEM certificate (" + e.getMessage() + ")", e);
    }
  }

  static PrivateKey privateKey(Path file) throws IOException {
    String text = new String(read(file), StandardCharsets.US_ASCII);
    byte[] pkcs8;
    if (text.contains("-----BEGIN PRIVATE KEY-----")) {
      pkcs8 = pem(text, "PRIVATE KEY", file);
    } else if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
      pkcs8 = rsaPkcs1ToPkcs8(pem(text, "RSA PRIVATE KEY", file));
    } else {
      throw new IOException(
          file + ": not a PKCS#8 (BEGIN PRIVATE KEY) or RSA (BEGIN RSA PRIVATE KEY) PEM key");
    }
    for (String alg : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IOException(file + ": a private key of an unsupported algorithm");
  }

  private static byte[] pem(String text, String label, Path file) throws IOException {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end, b);
    if (b < 0 || e < 0) {
      throw new IOException(file + ": unterminated PEM " + label);
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    } catch (IllegalArgumentException ex) {
      throw new IOException(file + ": bad base64 in PEM " + label);
    }
  }

  /** A PKCS#1 RSAPrivateKey wrapped in PKCS#8's PrivateKeyInfo (version 0, rsaEncryption). */
  private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algorithm = {
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
      0x00
    };
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = der(0x04, pkcs1);
    byte[] body = new byte[version.length + algorithm.length + octets.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
    System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
    return der(0x30, body);
  }

  private static byte[] der(int tag, byte[] content) {
    int n = content.length;
    byte[] len;
    if (n < 0x80) {
      len = new byte[] {(byte) n};
    } else if (n < 0x100) {
      len = new byte[] {(byte) 0x81, (byte) n};
    } else if (n < 0x10000) {
      len = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    } else {
      len = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
    byte[] out = new byte[1 + len.length + n];
    out[0] = (byte) tag;
    System.arraycopy(len, 0, out, 1, len.length);
    System.arraycopy(content, 0, out, 1 + len.length, n);
    return out;
  }

  /** The client of a verified TLS session: its certificate's CN. */
  static ApiCall.Client client(SSLSession session) {
    try {
      Certificate[] peer = session.getPeerCertificates();
      if (peer.length > 0 && peer[0] instanceof X509Certificate x) {
        return ApiCall.Client.tls(commonName(x.getSubjectX500Principal().getName()));
      }
    } catch (SSLPeerUnverifiedException e) {
      // no client certificate: the handshake would have failed with need-client-auth
    }
    return ApiCall.Client.tls("?");
  }

  /** The CN of an RFC 2253 name ({@code CN=client,O=x}), or the whole name when it has none. */
  static String commonName(String rfc2253) {
    int i = 0;
    while (i < rfc2253.length()) {
      int end = i;
      while (end < rfc2253.length() && rfc2253.charAt(end) != ',') {
        end += rfc2253.charAt(end) == '\\' ? 2 : 1;
      }
      String rdn = rfc2253.substring(i, Math.min(end, rfc2253.length())).trim();
      if (rdn.regionMatches(true, 0, "CN=", 0, 3)) {
        return rdn.substring(3).replace("\\", "");
      }
      i = end + 1;
    }
    return rfc2253;
  }
}
