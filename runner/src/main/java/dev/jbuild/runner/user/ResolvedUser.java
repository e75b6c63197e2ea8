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

  /**
   * This user with its primary group first among the supplementary groups when they lack it, as
   * docker run (moby's getUser) and BuildKit's RUN (ensureAdditionalGids, from containerd's fix of
   * CVE-2023-25173) set them: a file readable by the primary group only stays readable after a
   * setgroups.
   */
  public ResolvedUser withPrimaryGroup() {
    if (additionalGids.contains(gid)) {
      return this;
    }
    List<Long> groups = new java.util.ArrayList<>(additionalGids.size() + 1);
    groups.add(gid);
    groups.addAll(additionalGids);
    return new ResolvedUser(uid, gid, groups, home);
  }

  public boolean isRoot() {
    return uid == 0;
  }
}
