package dev.jbuild.builder.attest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operating system's package databases: dpkg's {@code status} (and distroless images' {@code
 * status.d/} files), apk's {@code installed}, and {@code os-release} for the purls' distro.
 */
final class DistroPackages {
  private DistroPackages() {}

  /** At most this many packages from one database. */
  static final int MAX_PACKAGES = 100_000;

  /** The distro of {@code os-release}: its ID and VERSION_ID (either may be null). */
  record Distro(String id, String versionId) {
    static final Distro UNKNOWN = new Distro(null, null);

    String qualifier() {
      if (id == null) {
        return null;
      }
      return Pkg.qualifier("distro", versionId == null ? id : id + "-" + versionId);
    }
  }

  static Distro osRelease(byte[] text) {
    if (text == null) {
      return Distro.UNKNOWN;
    }
    String id = null;
    String version = null;
    for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String k = line.substring(0, eq).strip();
      String v = unquote(line.substring(eq + 1).strip());
      if (k.equals("ID") && validToken(v)) {
        id = v.toLowerCase(java.util.Locale.ROOT);
      } else if (k.equals("VERSION_ID") && validToken(v)) {
        version = v;
      }
    }
    return new Distro(id, version);
  }

  private static boolean validToken(String v) {
    return !v.isEmpty() && v.length() <= 64 && v.matches("[A-Za-z0-9._+~-]+");
  }

  private static String unquote(String v) {
    if (v.length() >= 2
        && (v.charAt(0) == '"' || v.charAt(0) == '\'')
        && v.charAt(v.length() - 1) == v.charAt(0)) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }

  /** The installed packages of a dpkg status file (or a status.d file). */
  static List<Pkg> dpkg(byte[] text, String source, Distro distro) {
    List<Pkg> out = new ArrayList<>();
    String ns = distro.id() == null ? "debian" : distro.id();
    for (Map<String, String> p : paragraphs(text, true)) {
      String name = p.get("package");
      String version = p.get("version");
      String status = p.get("status");
      if (name == null || name.isEmpty() || version == null) {
        continue;
      }
      if (status != null && !status.endsWith(" installed")) {
        continue; // removed, config-files, half-installed
      }
      String arch = p.get("architecture");
      StringBuilder q = new StringBuilder();
      if (arch != null && !arch.isEmpty()) {
        q.append(Pkg.qualifier("arch", arch));
      }
      String dq = distro.qualifier();
      if (dq != null) {
        q.append(q.isEmpty() ? "" : "&").append(dq);
      }
      out.add(new Pkg("deb", ns, name, version, q.toString(), source, null));
      if (out.size() >= MAX_PACKAGES) {
        break;
      }
    }
    return out;
  }

  /** The packages of apk's {@code installed} database ({@code P:name}, {@code V:version}...). */
  static List<Pkg> apk(byte[] text, String source, Distro distro) {
    List<Pkg> out = new ArrayList<>();
    String ns = distro.id() == null ? "alpine" : distro.id();
    for (Map<String, String> p : paragraphs(text, false)) {
      String name = p.get("P");
      String version = p.get("V");
      if (name == null || name.isEmpty() || version == null) {
        continue;
      }
      StringBuilder q = new StringBuilder();
      String arch = p.get("A");
      if (arch != null && !arch.isEmpty()) {
        q.append(Pkg.qualifier("arch", arch));
      }
      String dq = distro.qualifier();
      if (dq != null) {
        q.append(q.isEmpty() ? "" : "&").append(dq);
      }
      out.add(new Pkg("apk", ns, name, version, q.toString(), source, p.get("L")));
      if (out.size() >= MAX_PACKAGES) {
        break;
      }
    }
    return out;
  }

  /**
   * Paragraphs separated by blank lines of {@code Key: value} lines (keys lower-cased when asked:
   * dpkg's are case-insensitive, apk's are not, {@code P} is the name and {@code p} what it
   * provides; the first value of a key wins; continuation lines, which start with a space or tab,
   * are dropped: no field the SBOM reads spans lines).
   */
  static List<Map<String, String>> paragraphs(byte[] text, boolean lowerKeys) {
    List<Map<String, String>> out = new ArrayList<>();
    Map<String, String> cur = new LinkedHashMap<>();
    String s = new String(text, StandardCharsets.UTF_8);
    int i = 0;
    int n = s.length();
    while (i <= n) {
      int nl = s.indexOf('\n', i);
      if (nl < 0) {
        nl = n;
      }
      String line = s.substring(i, nl);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      i = nl + 1;
      if (line.isBlank()) {
        if (!cur.isEmpty()) {
          out.add(cur);
          cur = new LinkedHashMap<>();
        }
        continue;
      }
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        continue;
      }
      int c = line.indexOf(':');
      if (c <= 0 || c > 128) {
        continue;
      }
      String key = line.substring(0, c).strip();
      cur.putIfAbsent(
          lowerKeys ? key.toLowerCase(java.util.Locale.ROOT) : key, line.substring(c + 1).strip());
    }
    if (!cur.isEmpty()) {
      out.add(cur);
    }
    return out;
  }
}
