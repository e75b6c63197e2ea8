package dev.jbuild.layercache.model;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An OCI platform: os, architecture, optional variant, os.version and os.features. Members this
 * type does not know are kept in {@code extra}.
 */
public record Platform(
    String os,
    String architecture,
    String variant,
    String osVersion,
    List<String> osFeatures,
    JsonObject extra) {

  private static final Set<String> KNOWN =
      Set.of("os", "architecture", "variant", "os.version", "os.features");

  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    if (os.isEmpty() || architecture.isEmpty()) {
      throw new IllegalArgumentException("platform needs an os and an architecture");
    }
    if (variant != null && variant.isEmpty()) {
      variant = null;
    }
    osFeatures = osFeatures == null ? null : List.copyOf(osFeatures);
    extra = extra == null ? JsonObject.EMPTY : extra;
  }

  public Platform(String os, String architecture, String variant) {
    this(os, architecture, variant, null, null, null);
  }

  public static Platform linux(String architecture) {
    return new Platform("linux", architecture, null);
  }

  /**
   * Parses {@code os/arch[/variant]} (e.g. {@code linux/arm64/v8}); {@code arch} alone means linux.
   * Architecture aliases are normalised ({@code x86_64} -> {@code amd64}, {@code aarch64} -> {@code
   * arm64}).
   */
  public static Platform parse(String text) {
    Objects.requireNonNull(text, "platform");
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split("/", -1);
    for (String p : parts) {
      if (p.isEmpty()) {
        throw new IllegalArgumentException("invalid platform \"" + text + "\": empty component");
      }
    }
    return switch (parts.length) {
      case 1 -> new Platform("linux", parts[0], null).normalize();
      case 2 -> new Platform(parts[0], parts[1], null).normalize();
      case 3 -> new Platform(parts[0], parts[1], parts[2]).normalize();
      default ->
          throw new IllegalArgumentException(
              "invalid platform \"" + text + "\": expected os/arch[/variant]");
    };
  }

  /** The platform this JVM runs on (linux/amd64, linux/arm64, ...). */
  public static Platform host() {
    String os = System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT);
    if (os.startsWith("windows")) {
      os = "windows";
    } else if (os.startsWith("mac")) {
      os = "darwin";
    }
    return new Platform(os, System.getProperty("os.arch", "amd64"), null).normalize();
  }

  /** Canonical names: amd64, arm64 (variant v8 dropped), arm (v7 when missing), 386. */
  public Platform normalize() {
    String arch = architecture.toLowerCase(Locale.ROOT);
    String v = variant;
    switch (arch) {
      case "x86_64", "x86-64", "amd64" -> arch = "amd64";
      case "aarch64", "arm64" -> {
        arch = "arm64";
        if ("v8".equals(v) || "8".equals(v)) {
          v = null;
        }
      }
      case "armhf" -> {
        arch = "arm";
        v = "v7";
      }
      case "armel" -> {
        arch = "arm";
        v = "v6";
      }
      case "arm" -> {
        if (v == null) {
          v = "v7";
        } else if (!v.startsWith("v")) {
          v = "v" + v;
        }
      }
      case "i386", "i686", "x86", "386" -> arch = "386";
      default -> {}
    }
    return new Platform(os.toLowerCase(Locale.ROOT), arch, v, osVersion, osFeatures, extra);
  }

  /** Same os, architecture and variant after normalisation. */
  public boolean matches(Platform other) {
    Platform a = normalize();
    Platform b = other.normalize();
    return a.os.equals(b.os)
        && a.architecture.equals(b.architecture)
        && Objects.equals(a.variant, b.variant);
  }

  public Platform withVariant(String newVariant) {
    return new Platform(os, architecture, newVariant, osVersion, osFeatures, extra);
  }

  public static Platform fromJson(JsonObject o) {
    String os = o.string("os");
    String arch = o.string("architecture");
    if (os == null || arch == null) {
      throw new IllegalArgumentException("platform needs \"os\" and \"architecture\": " + o);
    }
    return new Platform(
        os,
        arch,
        o.string("variant"),
        o.string("os.version"),
        o.strings("os.features"),
        o.without(KNOWN));
  }

  public JsonObject toJson() {
    JsonObject.Builder b = JsonObject.builder().put("architecture", architecture).put("os", os);
    b.putIfNotNull("os.version", osVersion);
    if (osFeatures != null) {
      b.put("os.features", Json.ofStrings(osFeatures));
    }
    b.putIfNotNull("variant", variant);
    return b.putAllAbsent(extra).build();
  }

  /** {@code os/arch[/variant]}. */
  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
