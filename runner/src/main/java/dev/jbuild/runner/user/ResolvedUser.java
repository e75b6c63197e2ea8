package dev.jbuild.runner.user;

import java.util.List;

/**
 * A user as the runtime needs it: numeric ids, supplementary groups, and the home directory from
 * /etc/passwd ("/" when the user has no entry).
 */
public record ResolvedUser(long uid, long gid, List<Long> additionalGids, String home) {
  public ResolvedUser {
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException("negative uid or gid");
    }
    additionalGids = List.copyOf(additionalGids);
    if (home == null || home.isEmpty()) {
      home = "/";
    }
  }

  public boolean isRoot() {
    return uid == 0;
  }
}
