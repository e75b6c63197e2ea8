package dev.jbuild.layercache.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A content digest such as {@code sha256:9f86d0...}. Validated at construction: the algorithm is
 * sha256 or sha512 and the encoded part is lower-case hex of the right length.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
  public static final String SHA256 = "sha256";
  public static final String SHA512 = "sha512";

  public Digest {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(hex, "hex");
    int expected =
        switch (algorithm) {
          case SHA256 -> 64;
          case SHA512 -> 128;
          default ->
              throw new IllegalArgumentException("unsupported digest algorithm: " + algorithm);
        };
    if (hex.length() != expected) {
      throw new IllegalArgumentException(
          "invalid " + algorithm + " digest: expected " + expected + " hex characters: " + hex);
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException("invalid " + algorithm + " digest: " + hex);
      }
    }
  }

  /** Parses {@code algorithm:hex}. */
  public static Digest parse(String text) {
    Objects.requireNonNull(text, "digest");
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("invalid digest (expected algorithm:hex): " + text);
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  /** True when {@code text} is a valid digest. */
  public static boolean isValid(String text) {
    return Parsing.accepts(Digest::parse, text);
  }

  public static Digest sha256(byte[] data) {
    return new Digest(SHA256, HexFormat.of().formatHex(newSha256().digest(data)));
  }

  /** Wraps a finished {@link MessageDigest} of the given algorithm. */
  public static Digest of(String algorithm, byte[] digestBytes) {
    return new Digest(algorithm, HexFormat.of().formatHex(digestBytes));
  }

  /** A fresh SHA-256: libcrypto's when available (see {@link NativeSha256}), else the JDK's. */
  public static MessageDigest newSha256() {
    return NativeSha256.create().orElseGet(() -> newMessageDigest(SHA256));
  }

  /** A fresh {@link MessageDigest} for this digest's algorithm (to verify content against it). */
  public MessageDigest newMessageDigest() {
    return algorithm.equals(SHA256) ? newSha256() : newMessageDigest(algorithm);
  }

  private static MessageDigest newMessageDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm.equals(SHA512) ? "SHA-512" : "SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first 12 hex characters, as {@code docker images} shows IDs. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }

  @Override
  public int compareTo(Digest o) {
    return toString().compareTo(o.toString());
  }
}
