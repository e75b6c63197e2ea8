package dev.jbuild.builder.steps;

import dev.jbuild.builder.copy.RootfsView;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.layercache.fs.ConfinedFileException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.runner.user.UserDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * COPY/ADD {@code --chown=user[:group]}: names are looked up in the destination image's /etc/passwd
 * and /etc/group. Without a group, a user name brings its primary group from /etc/passwd and a
 * numeric uid is used as the gid too (BuildKit's readUser).
 */
public final class Chown {
  private Chown() {}

  /** A parsed --chown value. */
  public record Spec(String user, String group) {
    /** {uid, gid} in the root filesystem {@code rootfs} (null for scratch: numbers only). */
    public long[] resolve(RootfsView rootfs) throws IOException, StepFailure {
      UserDatabase db = null;
      if (rootfs != null && (!isId(user) || (group != null && !isId(group)))) {
        db = database(rootfs);
      }
      long[] u = lookupUser(db, user);
      long gid = group == null ? u[1] : lookupGroup(db, group);
      return new long[] {u[0], gid};
    }
  }

  /** The image's /etc/passwd and /etc/group (empty when missing). */
  public static UserDatabase database(RootfsView rootfs) throws IOException {
    return UserDatabase.parse(read(rootfs, "/etc/passwd"), read(rootfs, "/etc/group"));
  }

  /** The file's text; empty when missing or not a regular file (never opened then). */
  private static String read(RootfsView rootfs, String path) throws IOException {
    Path p = rootfs.file(rootfs.resolve(path, true));
    if (p == null) {
      return "";
    }
    try {
      return new String(
          RootDir.readRegularFile(p, UserDatabase.MAX_BYTES).orElse(new byte[0]),
          StandardCharsets.UTF_8);
    } catch (ConfinedFileException e) {
      if (e.notRegular()) {
        return "";
      }
      throw e;
    }
  }

  public static Spec parse(String value) {
    int colon = value.indexOf(':');
    return colon < 0
        ? new Spec(value, null)
        : new Spec(value.substring(0, colon), value.substring(colon + 1));
  }

  private static boolean isId(String s) {
    return s.isEmpty() || isNumber(s);
  }

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
  }

  /** {uid, primary gid}; a number is both. */
  private static long[] lookupUser(UserDatabase db, String name) throws StepFailure {
    if (name.isEmpty()) {
      return new long[] {0, 0}; // --chown=:group, as BuildKit: root
    }
    if (isNumber(name)) {
      long id = Long.parseLong(name);
      return new long[] {id, id};
    }
    if (db != null) {
      for (UserDatabase.PasswdEntry e : db.users()) {
        if (e.name().equals(name)) {
          return new long[] {e.uid(), e.gid()};
        }
      }
    }
    throw BuildErrors.noSuchChownUser(name);
  }

  private static long lookupGroup(UserDatabase db, String name) throws StepFailure {
    if (name.isEmpty()) {
      return 0;
    }
    if (isNumber(name)) {
      return Long.parseLong(name);
    }
    if (db != null) {
      for (UserDatabase.GroupEntry e : db.groups()) {
        if (e.name().equals(name)) {
          return e.gid();
        }
      }
    }
    throw BuildErrors.noSuchChownGroup(name);
  }
}
