package dev.jbuild.runner.user;

import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves USER the way Docker and runc do: {@code name}, {@code uid}, {@code name:group}, {@code
 * uid:gid}, {@code uid:group}; empty means root. A numeric user or group without an entry is used
 * as is (gid 0 and HOME "/" when the uid has no passwd entry); a name without an entry is an error.
 * Supplementary groups are the groups listing the user by name, unless a group is given.
 */
public final class UserResolver {
  private UserResolver() {}

  /**
   * Reads /etc/passwd and /etc/group of {@code rootfs}, confined to it ({@link
   * UserDatabase#read(RootDir)}).
   */
  public static ResolvedUser resolve(Path rootfs, String spec) throws IOException {
    if (spec == null || spec.isEmpty()) {
      spec = "0";
    }
    UserDatabase db;
    try (RootDir root = RootDir.open(rootfs)) {
      db = UserDatabase.read(root);
    }
    return resolve(db, spec);
  }

  public static ResolvedUser resolve(UserDatabase db, String spec) throws RunnerException {
    String userPart = spec;
    String groupPart = "";
    int colon = spec.indexOf(':');
    if (colon >= 0) {
      userPart = spec.substring(0, colon);
      groupPart = spec.substring(colon + 1);
    }
    if (userPart.isEmpty()) {
      userPart = "0";
    }
    Optional<Long> numericUser = UserDatabase.id(userPart);
    if (numericUser.isEmpty() && userPart.chars().allMatch(Character::isDigit)) {
      throw RunnerErrors.badUser(spec, "uid out of range");
    }
    UserDatabase.PasswdEntry entry = null;
    for (UserDatabase.PasswdEntry u : db.users()) {
      if (u.name().equals(userPart) || numericUser.map(n -> n == u.uid()).orElse(false)) {
        entry = u;
        break;
      }
    }
    if (entry == null && numericUser.isEmpty()) {
      throw RunnerErrors.userNotFound(userPart);
    }
    long uid = entry != null ? entry.uid() : numericUser.get();
    long gid = entry != null ? entry.gid() : 0;
    String home = entry != null ? entry.home() : "/";
    List<Long> extra = new ArrayList<>();
    if (!groupPart.isEmpty()) {
      gid = group(db, groupPart);
    } else if (entry != null) {
      Set<Long> seen = new LinkedHashSet<>();
      for (UserDatabase.GroupEntry g : db.groups()) {
        if (g.members().contains(entry.name()) && g.gid() != gid) {
          seen.add(g.gid());
        }
      }
      extra.addAll(seen);
    }
    return new ResolvedUser(uid, gid, extra, home);
  }

  private static long group(UserDatabase db, String groupPart) throws RunnerException {
    Optional<Long> numeric = UserDatabase.id(groupPart);
    for (UserDatabase.GroupEntry g : db.groups()) {
      if (g.name().equals(groupPart) || numeric.map(n -> n == g.gid()).orElse(false)) {
        return g.gid();
      }
    }
    if (numeric.isPresent()) {
      return numeric.get();
    }
    if (groupPart.chars().allMatch(Character::isDigit)) {
      throw RunnerErrors.badUser(groupPart, "gid out of range");
    }
    throw RunnerErrors.groupNotFound(groupPart);
  }
}
