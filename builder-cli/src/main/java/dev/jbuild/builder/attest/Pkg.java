package dev.jbuild.builder.attest;

import java.nio.charset.StandardCharsets;

/**
 * A package found in the image.
 *
 * @param type the purl type: {@code deb}, {@code apk}, {@code npm}, {@code maven}, {@code pypi}
 * @param namespace the purl namespace (distro, npm scope with its {@code @}, Maven group), or null
 * @param name the package name
 * @param version its version
 * @param qualifiers purl qualifiers, already in {@code k=v&k=v} form (values encoded), or null
 * @param source where it was found ({@code /var/lib/dpkg/status})
 * @param license the declared license, or null
 */
record Pkg(
    String type,
    String namespace,
    String name,
    String version,
    String qualifiers,
    String source,
    String license) {

  /** The package URL (purl spec: each segment percent-encoded). */
  String purl() {
    StringBuilder b = new StringBuilder("pkg:").append(type).append('/');
    if (namespace != null && !namespace.isEmpty()) {
      for (String seg : namespace.split("/")) {
        b.append(encode(seg)).append('/');
      }
    }
    b.append(encode(name));
    if (version != null && !version.isEmpty()) {
      b.append('@').append(encode(version));
    }
    if (qualifiers != null && !qualifiers.isEmpty()) {
      b.append('?').append(qualifiers);
    }
    return b.toString();
  }

  /** {@code k=v} with the value encoded, for {@link #qualifiers}. */
  static String qualifier(String key, String value) {
    return key + "=" + encode(value);
  }

  /** Percent-encodes everything but the purl spec's unreserved characters. */
  static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        b.append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }
}
