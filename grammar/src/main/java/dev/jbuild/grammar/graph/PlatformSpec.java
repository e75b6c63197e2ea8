package dev.jbuild.grammar.graph;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A platform as {@code os/arch[/variant]}, parsed and normalised as containerd's platforms package
 * does (x86_64 -> amd64, aarch64 -> arm64, arm64/v8 -> arm64, armhf -> arm/v7, ...). This is the
 * grammar module's own small type (it imports nothing internal); {@link #toString()} gives the text
 * the builder passes around.
 */
public record PlatformSpec(String os, String architecture, String variant) {
  private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Set<String> KNOWN_OS =
      Set.of(
          "aix",
          "android",
          "darwin",
          "dragonfly",
          "freebsd",
          "hurd",
          "illumos",
          "ios",
          "js",
          "linux",
          "nacl",
          "netbsd",
          "openbsd",
          "plan9",
          "solaris",
          "windows",
          "zos",
          "wasip1");
  private static final Set<String> KNOWN_ARCH =
      Set.of(
          "386",
          "amd64",
          "amd64p32",
          "arm",
          "armbe",
          "arm64",
          "arm64be",
          "ppc64",
          "ppc64le",
          "loong64",
          "mips",
          "mipsle",
          "mips64",
          "mips64le",
          "mips64p32",
          "mips64p32le",
          "ppc",
          "riscv",
          "riscv64",
          "s390",
          "s390x",
          "sparc",
          "sparc64",
          "wasm",
          "aarch64",
          "armhf",
          "armel",
          "x86_64",
          "x86-64",
          "i386");

  public PlatformSpec {
    if (os == null || os.isEmpty() || architecture == null || architecture.isEmpty()) {
      throw new IllegalArgumentException("platform needs an os and an architecture");
    }
    if (variant == null) {
      variant = "";
    }
  }

  /**
   * Parses {@code linux/arm64}, {@code linux/arm/v7}, {@code amd64} (os linux), {@code linux} (host
   * architecture).
   *
   * @throws IllegalArgumentException with containerd's wording
   */
  public static PlatformSpec parse(String text) {
    if (text.indexOf('*') >= 0) {
      throw new IllegalArgumentException("\"" + text + "\": wildcards are not supported");
    }
    String[] parts = text.split("/", -1);
    for (String p : parts) {
      if (!COMPONENT.matcher(p).matches()) {
        throw new IllegalArgumentException(
            "\"" + text + "\": invalid platform component \"" + p + "\"");
      }
    }
    switch (parts.length) {
      case 1 -> {
        String p = parts[0].toLowerCase(Locale.ROOT);
        if (KNOWN_OS.contains(p)) {
          PlatformSpec host = host();
          return new PlatformSpec(p, host.architecture, host.variant);
        }
        if (KNOWN_ARCH.contains(p)) {
          return normalized("linux", p, "");
        }
        throw new IllegalArgumentException(
            "\"" + text + "\": unknown operating system or architecture");
      }
      case 2 -> {
        PlatformSpec s = normalized(parts[0].toLowerCase(Locale.ROOT), parts[1], "");
        return s;
      }
      case 3 -> {
        return normalized(parts[0].toLowerCase(Locale.ROOT), parts[1], parts[2]);
      }
      default ->
          throw new IllegalArgumentException(
              "\"" + text + "\": cannot parse platform, too many components");
    }
  }

  private static PlatformSpec normalized(String os, String archIn, String variantIn) {
    String arch = archIn.toLowerCase(Locale.ROOT);
    String variant = variantIn.toLowerCase(Locale.ROOT);
    switch (arch) {
      case "i386" -> {
        arch = "386";
        variant = "";
      }
      case "x86_64", "x86-64", "amd64" -> {
        arch = "amd64";
        if (variant.equals("v1")) {
          variant = "";
        }
      }
      case "aarch64", "arm64" -> {
        arch = "arm64";
        switch (variant) {
          case "8", "v8", "v8.0" -> variant = "";
          case "9", "9.0", "v9.0" -> variant = "v9";
          default -> {}
        }
      }
      case "armhf" -> {
        arch = "arm";
        variant = "v7";
      }
      case "armel" -> {
        arch = "arm";
        variant = "v6";
      }
      case "arm" -> {
        switch (variant) {
          case "", "7" -> variant = "v7";
          case "5", "6", "8" -> variant = "v" + variant;
          default -> {}
        }
      }
      default -> {}
    }
    if (os.equals("macos")) {
      os = "darwin";
    }
    return new PlatformSpec(os, arch, variant);
  }

  /** The platform this JVM runs on (linux and the normalised os.arch). */
  public static PlatformSpec host() {
    String arch = System.getProperty("os.arch", "amd64");
    return normalized("linux", arch, "");
  }

  /** {@code os/arch} or {@code os/arch/variant}. */
  @Override
  public String toString() {
    return variant.isEmpty() ? os + "/" + architecture : os + "/" + architecture + "/" + variant;
  }
}
