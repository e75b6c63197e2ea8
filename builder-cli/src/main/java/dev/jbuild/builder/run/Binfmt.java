package dev.jbuild.builder.run;

import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.layercache.model.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The platforms this machine can run: its own, and those the kernel's binfmt_misc hands to an
 * interpreter (QEMU user mode: Debian's qemu-user-static registers {@code qemu-aarch64} and friends
 * with the F flag, so the interpreter works inside a container's root). A RUN step of a foreign
 * platform runs through such a handler; without one it fails with {@link BuildErrors#noEmulator}.
 *
 * <p>The files of {@code /proc/sys/fs/binfmt_misc} are read as untrusted text: at most {@link
 * #MAX_ENTRIES} entries, {@link #MAX_FILE} bytes each, regular files only, no symlink followed;
 * only ELF magic at offset 0 is understood (the machine field says the architecture), anything else
 * is skipped.
 */
public final class Binfmt {
  /** Where the kernel shows binfmt_misc. */
  public static final Path DEFAULT_DIR = Path.of("/proc/sys/fs/binfmt_misc");

  static final int MAX_ENTRIES = 512;
  static final int MAX_FILE = 4096;

  /**
   * One registered handler.
   *
   * @param name the entry's file name (e.g. qemu-aarch64)
   * @param platform the platform of the binaries it runs
   * @param interpreter the interpreter's path on the host
   * @param flags the registration flags (F: the interpreter is opened at registration, so it works
   *     in any mount namespace)
   * @param enabled whether the entry is enabled
   */
  public record Handler(
      String name, Platform platform, String interpreter, String flags, boolean enabled) {
    /** Usable for a container: enabled, and the interpreter fixed at registration. */
    public boolean usable() {
      return enabled && flags.contains("F");
    }
  }

  private Binfmt() {}

  /** The handlers for ELF binaries registered in {@code dir}; none when binfmt_misc is off. */
  public static List<Handler> handlers(Path dir) {
    List<Handler> out = new ArrayList<>();
    Optional<String> status = read(dir.resolve("status"));
    if (status.isEmpty() || !status.get().strip().equals("enabled")) {
      return out;
    }
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (entries.size() >= MAX_ENTRIES) {
          break;
        }
        String n = p.getFileName().toString();
        if (!n.equals("status") && !n.equals("register")) {
          entries.add(p);
        }
      }
    } catch (IOException | RuntimeException e) {
      return out;
    }
    entries.sort(null);
    for (Path p : entries) {
      read(p).flatMap(text -> parse(p.getFileName().toString(), text)).ifPresent(out::add);
    }
    return out;
  }

  /** The platforms this machine runs: its own (and 386 on amd64), then each usable handler's. */
  public static Set<Platform> runnable(Path dir) {
    Set<Platform> out = new LinkedHashSet<>();
    Platform host = Platform.host();
    out.add(host);
    if (host.architecture().equals("amd64")) {
      out.add(Platform.linux("386"));
    }
    for (Handler h : handlers(dir)) {
      if (h.usable()) {
        out.add(h.platform());
      }
    }
    return out;
  }

  /** Whether a RUN of {@code platform} can run here (natively or through a handler in dir). */
  public static boolean canRun(Platform platform, Path dir) {
    Platform want = platform.normalize();
    if (want.matches(Platform.host())) {
      return true;
    }
    for (Platform p : runnable(dir)) {
      if (p.os().equals(want.os()) && p.architecture().equals(want.architecture())) {
        return true;
      }
    }
    return false;
  }

  /** Fails unless a RUN of {@code platform} can run here. */
  public static void requireRunnable(Platform platform, Path dir) throws StepFailure {
    if (canRun(platform, dir)) {
      return;
    }
    Optional<Handler> unusable =
        handlers(dir).stream()
            .filter(h -> h.platform().architecture().equals(platform.normalize().architecture()))
            .findFirst();
    throw BuildErrors.noEmulator(platform, Platform.host(), dir, unusable.map(Handler::name));
  }

  /** An entry's text, or empty when it is not a small regular file. */
  private static Optional<String> read(Path p) {
    try {
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      try (InputStream in = Files.newInputStream(p)) {
        byte[] b = in.readNBytes(MAX_FILE + 1);
        if (b.length > MAX_FILE) {
          return Optional.empty();
        }
        return Optional.of(new String(b, StandardCharsets.UTF_8));
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses one entry ({@code enabled}, {@code interpreter}, {@code flags:}, {@code offset}, ...).
   */
  static Optional<Handler> parse(String name, String text) {
    boolean enabled = false;
    String interpreter = "";
    String flags = "";
    long offset = -1;
    byte[] magic = null;
    for (String raw : text.split("\n", 64)) {
      String line = raw.strip();
      if (line.equals("enabled")) {
        enabled = true;
      } else if (line.startsWith("interpreter ")) {
        interpreter = line.substring("interpreter ".length()).strip();
      } else if (line.startsWith("flags:")) {
        flags = line.substring("flags:".length()).strip();
      } else if (line.startsWith("offset ")) {
        try {
          offset = Long.parseLong(line.substring("offset ".length()).strip());
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      } else if (line.startsWith("magic ")) {
        try {
          magic = HexFormat.of().parseHex(line.substring("magic ".length()).strip());
        } catch (IllegalArgumentException e) {
          return Optional.empty();
        }
      }
    }
    if (offset != 0 || magic == null) {
      return Optional.empty();
    }
    Optional<Platform> platform = elfPlatform(magic);
    if (platform.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Handler(name, platform.get(), interpreter, flags.toUpperCase(Locale.ROOT), enabled));
  }

  /** The platform an ELF header prefix names (class, byte order, e_machine), if known. */
  static Optional<Platform> elfPlatform(byte[] m) {
    if (m.length < 20 || m[0] != 0x7f || m[1] != 'E' || m[2] != 'L' || m[3] != 'F') {
      return Optional.empty();
    }
    boolean is64 = m[4] == 2;
    boolean little = m[5] == 1;
    int machine =
        little ? (m[18] & 0xff) | (m[19] & 0xff) << 8 : (m[19] & 0xff) | (m[18] & 0xff) << 8;
    String arch =
        switch (machine) {
          case 0x3e -> is64 ? "amd64" : null;
          case 0x03 -> is64 ? null : "386";
          case 0xb7 -> is64 ? "arm64" : null;
          case 0x28 -> is64 ? null : little ? "arm" : null;
          case 0x15 -> is64 ? (little ? "ppc64le" : "ppc64") : null;
          case 0x16 -> is64 ? "s390x" : null;
          case 0xf3 -> is64 ? "riscv64" : "riscv32";
          case 0x08 -> is64 ? (little ? "mips64le" : "mips64") : (little ? "mipsle" : "mips");
          case 0x102 -> is64 ? "loong64" : null;
          case 0x2b -> is64 ? "sparc64" : null;
          case 0x14 -> is64 ? null : "ppc";
          case 0x04 -> is64 ? null : "m68k";
          default -> null;
        };
    return Optional.ofNullable(arch).map(a -> Platform.linux(a).normalize());
  }
}
