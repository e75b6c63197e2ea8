package dev.jbuild.runner.user;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

  /** Reads both files; lines that do not parse are skipped, as libc does. */
  public static UserDatabase read(Path passwd, Path group) throws IOException {
    return parse(readOrEmpty(passwd), readOrEmpty(group));
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
      if (Files.size(file) > 16 << 20) {
        throw new IOException(file + ": larger than 16 MiB, not a user database");
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (java.nio.charset.MalformedInputException e) {
      return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    }
  }
}
