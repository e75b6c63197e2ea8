package dev.jbuild.runner;

import java.util.List;

/**
 * What a build's options change in the sandbox of its RUN steps (BuildKit's entitlements and docker
 * build's --add-host, --ulimit, --shm-size).
 *
 * @param insecure {@code RUN --security=insecure} (with the security.insecure entitlement): every
 *     capability jbuild's process has, in all five sets; no seccomp filter; no masked or read-only
 *     paths; /sys and the cgroup tree writable; every device allowed (root mode), as BuildKit's
 *     insecure spec
 * @param extraHosts lines appended to the generated /etc/hosts
 * @param rlimits resource limits of the process; RLIMIT_NOFILE defaults to jbuild's own soft limit
 * @param shmSize the size of /dev/shm in bytes; 0 = Docker's 64 MiB
 */
public record RunSettings(
    boolean insecure, List<ExtraHost> extraHosts, List<Rlimit> rlimits, long shmSize) {
  /** Docker's defaults: sandboxed, no extra hosts, no limits of the build's, 64 MiB of shm. */
  public static final RunSettings DEFAULT = new RunSettings(false, List.of(), List.of(), 0);

  public RunSettings {
    extraHosts = List.copyOf(extraHosts);
    rlimits = List.copyOf(rlimits);
    if (shmSize < 0) {
      throw new IllegalArgumentException("negative shm size");
    }
  }

  public RunSettings withInsecure(boolean i) {
    return new RunSettings(i, extraHosts, rlimits, shmSize);
  }

  /** Whether these are the defaults (nothing to add to a spec). */
  public boolean isDefault() {
    return equals(DEFAULT);
  }
}
