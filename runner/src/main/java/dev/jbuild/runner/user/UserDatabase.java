package dev.jbuild.runner.user;

import dev.jbuild.layercache.fs.ConfinedFileException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.runner.RunnerErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The entries of an image's /etc/passwd and /etc/group (files absent = no entries). */
public record UserDatabase(List<PasswdEntry> users, List<GroupEntry> groups) {
  /** One /etc/passwd line. */
  public record PasswdEntry(String name, long uid, long gid, String home) {}

  /** One /etc/group line. */
  public record GroupEntry(String name, long gid, List<String> members) {}

  public UserDatabase {
    users = List.copyOf(users);
    groups = List.copyOf(groups);
  }

  /** The most a user database file may hold (BuildKit allows 10 MiB). */
  public static final int MAX_BYTES = 16 << 20;

  /** Reads both files; lines that do not parse are skipped, as libc does. */
  public static UserDatabase read(Path passwd, Path group) throws IOException {
    return parse(readOrEmpty(passwd), readOrEmpty(group));
  }

  /**
   * Reads {@code /etc/passwd} and {@code /etc/group} of an image's root filesystem, confined to it
   * (symlinks followed inside it). Missing files are empty. A file that is not a regular file (a
   * fifo, a device) is never opened and is an error: the runtime reads these files too, inside the
   * container, and runc would block on a fifo forever. So is one over {@link #MAX_BYTES}.
   */
  public static UserDatabase read(RootDir rootfs) throws IOException {
    try {
      return parse(
          decode(rootfs.readFile("/etc/passwd", MAX_BYTES).orElse(new byte[0])),
          decode(rootfs.readFile("/etc/group", MAX_BYTES).orElse(new byte[0])));
    } catch (ConfinedFileException e) {
      throw RunnerErrors.badUserDatabase(e.getMessage());
    }
  }

  /** UTF-8, or ISO-8859-1 when the bytes are not UTF-8 (every byte kept). */
  static String decode(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return new String(b, StandardCharsets.ISO_8859_1);
    }
  }

  public static UserDatabase parse(String passwd, String group) {
    List<PasswdEntry> users = new ArrayList<>();
    for (String line : passwd.split("\n")) {
      String[] f = line.split(":", -1);
      if (line.startsWith("#") || f.length < 7) {
        continue;
      }
      Optional<Long> uid = id(f[2]);
      Optional<Long> gid = id(f[3]);
      if (uid.isPresent() && gid.isPresent()) {
        users.add(new PasswdEntry(f[0], uid.get(), gid.get(), f[5]));
      }
    }
    List<GroupEntry> groups = new ArrayList<>();
    for (String line : group.split("\n")) {
      String[] f = line.split(":", -1);
      if (line.startsWith("#") || f.length < 4) {
        continue;
      }
      Optional<Long> gid = id(f[2]);
      if (gid.isPresent()) {
        List<String> members = new ArrayList<>();
        for (String m : f[3].split(",")) {
          if (!m.isBlank()) {
            members.add(m.strip());
          }
        }
        groups.add(new GroupEntry(f[0], gid.get(), members));
      }
    }
    return new UserDatabase(users, groups);
  }

  /** A non-negative numeric id, or empty when {@code s} is not one. */
  static Optional<Long> id(String s) {
    if (s.isEmpty() || s.length() > 10) {
      return Optional.empty();
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return Optional.empty();
      }
    }
    long v = Long.parseLong(s);
    return v <= 0xFFFF_FFFEL ? Optional.of(v) : Optional.empty();
  }

  private static String readOrEmpty(Path file) throws IOException {
    try {
      return decode(RootDir.readRegularFile(file, MAX_BYTES).orElse(new byte[0]));
    } catch (ConfinedFileException e) {
      if (e.notRegular()) {
        return "";
      }
      throw e;
    }
  }
}
