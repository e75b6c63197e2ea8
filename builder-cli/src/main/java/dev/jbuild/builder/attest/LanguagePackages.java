package dev.jbuild.builder.attest;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Language package metadata: npm ({@code package-lock.json}, {@code
 * node_modules/.../package.json}), Python ({@code *.dist-info/METADATA}) and the {@code
 * pom.properties} that Maven puts in jars ({@link JarPoms} reads the jars).
 */
final class LanguagePackages {
  private LanguagePackages() {}

  /** At most this many packages from one file. */
  static final int MAX_PACKAGES = 100_000;

  /** How deep a lockfile v1's nested {@code dependencies} are followed. */
  static final int MAX_LOCK_DEPTH = 32;

  /** The package a {@code node_modules/NAME/package.json} describes, or null. */
  static Pkg npmPackageJson(byte[] json, String source) {
    JsonObject o = object(json);
    if (o == null) {
      return null;
    }
    String name = string(o, "name");
    String version = string(o, "version");
    if (name == null || version == null || !validNpmName(name)) {
      return null;
    }
    String license = string(o, "license");
    return npm(name, version, source, license);
  }

  /** The packages a {@code package-lock.json} (lockfile v1, v2 or v3) pins. */
  static List<Pkg> npmLock(byte[] json, String source) {
    List<Pkg> out = new ArrayList<>();
    JsonObject o = object(json);
    if (o == null) {
      return out;
    }
    if (o.get("packages") instanceof JsonObject packages) {
      for (String key : packages.keys()) {
        int at = key.lastIndexOf("node_modules/");
        if (at < 0 || !(packages.get(key) instanceof JsonObject p)) {
          continue; // "" is the project itself
        }
        if (p.get("link") instanceof dev.jbuild.layercache.json.JsonBool b && b.value()) {
          continue; // a workspace link: the target has its own entry
        }
        String name = string(p, "name");
        if (name == null) {
          name = key.substring(at + "node_modules/".length());
        }
        String version = string(p, "version");
        if (version != null && validNpmName(name)) {
          out.add(npm(name, version, source, string(p, "license")));
        }
        if (out.size() >= MAX_PACKAGES) {
          break;
        }
      }
      return out;
    }
    if (o.get("dependencies") instanceof JsonObject deps) {
      lockV1(deps, source, 1, out);
    }
    return out;
  }

  private static void lockV1(JsonObject deps, String source, int depth, List<Pkg> out) {
    if (depth > MAX_LOCK_DEPTH) {
      return;
    }
    for (String name : deps.keys()) {
      if (out.size() >= MAX_PACKAGES) {
        return;
      }
      if (!(deps.get(name) instanceof JsonObject d)) {
        continue;
      }
      String version = string(d, "version");
      if (version != null && validNpmName(name) && !version.startsWith("file:")) {
        out.add(npm(name, version, source, null));
      }
      if (d.get("dependencies") instanceof JsonObject nested) {
        lockV1(nested, source, depth + 1, out);
      }
    }
  }

  private static Pkg npm(String name, String version, String source, String license) {
    String ns = null;
    String n = name;
    if (name.startsWith("@")) {
      int slash = name.indexOf('/');
      ns = name.substring(0, slash);
      n = name.substring(slash + 1);
    }
    return new Pkg("npm", ns, n, version, null, source, license);
  }

  /** npm's rules, loosely: 1-214 characters, no spaces or path tricks, at most one scope. */
  static boolean validNpmName(String name) {
    if (name.isEmpty() || name.length() > 214 || name.contains("..")) {
      return false;
    }
    if (name.startsWith("@")) {
      int slash = name.indexOf('/');
      return slash > 1
          && slash < name.length() - 1
          && name.indexOf('/', slash + 1) < 0
          && name.chars().allMatch(LanguagePackages::npmChar);
    }
    return name.indexOf('/') < 0 && name.chars().allMatch(LanguagePackages::npmChar);
  }

  private static boolean npmChar(int c) {
    return c > ' ' && c < 127 && c != '\\' && c != '%' && c != '?' && c != '#';
  }

  /** The package of a Python {@code *.dist-info/METADATA} (its header fields). */
  static Pkg python(byte[] metadata, String source) {
    String name = null;
    String version = null;
    String license = null;
    for (String line : new String(metadata, StandardCharsets.UTF_8).split("\n", 200)) {
      line = line.strip();
      if (line.isEmpty()) {
        break; // the body (long description) follows the headers
      }
      int c = line.indexOf(':');
      if (c <= 0) {
        continue;
      }
      String k = line.substring(0, c).strip().toLowerCase(Locale.ROOT);
      String v = line.substring(c + 1).strip();
      switch (k) {
        case "name" -> name = name == null ? v : name;
        case "version" -> version = version == null ? v : version;
        case "license" -> license = license == null && v.length() <= 200 ? v : license;
        default -> {}
      }
    }
    if (name == null || version == null || name.isEmpty() || name.length() > 200) {
      return null;
    }
    // PEP 503 normalisation, as the pypi purl type asks
    String normal = name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    return new Pkg("pypi", null, normal, version, null, source, license);
  }

  /** The package of a {@code pom.properties}, or null without groupId, artifactId and version. */
  static Pkg maven(byte[] properties, String source) {
    java.util.Properties p = new java.util.Properties();
    try {
      p.load(new java.io.StringReader(new String(properties, StandardCharsets.ISO_8859_1)));
    } catch (java.io.IOException | IllegalArgumentException e) {
      return null;
    }
    String g = p.getProperty("groupId");
    String a = p.getProperty("artifactId");
    String v = p.getProperty("version");
    if (g == null || a == null || v == null || g.isBlank() || a.isBlank() || v.isBlank()) {
      return null;
    }
    return new Pkg("maven", g.strip(), a.strip(), v.strip(), null, source, null);
  }

  private static JsonObject object(byte[] json) {
    try {
      return Json.parse(json) instanceof JsonObject o ? o : null;
    } catch (IllegalArgumentException | StackOverflowError e) {
      return null;
    }
  }

  private static String string(JsonObject o, String key) {
    return o.get(key) instanceof dev.jbuild.layercache.json.JsonString s
            && !s.value().isEmpty()
            && s.value().length() <= 512
        ? s.value()
        : null;
  }
}
