package dev.jbuild.runner.container;

import dev.jbuild.layercache.model.ContainerConfig;
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The volumes of a container being created, as Docker resolves them: each {@code -v NAME:/path} or
 * {@code --mount type=volume} names a volume (made when missing), {@code -v /path} and every VOLUME
 * of the image that no other mount covers get a new anonymous volume; two mounts on one path are
 * refused. Volumes still empty take the image's content at their path ({@link VolumeCopy}) once the
 * root filesystem is mounted.
 */
final class ContainerVolumes {
  /** A volume resolved for the container, and whether it is filled from the image. */
  record Resolved(WiringRecord.UsedVolume used, Path data, boolean copy) {}

  private ContainerVolumes() {}

  /**
   * Resolves (and creates) the volumes under the volume lock; anonymous ones of an {@code --rm}
   * container go with it ({@code removeWith}).
   */
  static List<Resolved> resolve(
      Volumes volumes, ContainerConfig image, RunOptions o, String id, List<String> made)
      throws IOException {
    Set<String> targets = new HashSet<>();
    for (RunMount m : o.volumes()) {
      claim(targets, m.target());
    }
    List<VolumeMount> wanted = new ArrayList<>(o.wiring().volumes());
    for (VolumeMount v : wanted) {
      claim(targets, v.target());
    }
    if (image.volumes() != null) {
      for (String path : image.volumes().stream().sorted().toList()) {
        String p = clean(path);
        if (!p.startsWith("/") || !targets.add(p)) {
          continue; // a mount of the run covers it
        }
        wanted.add(new VolumeMount(null, p, false, false));
      }
    }
    List<Resolved> out = new ArrayList<>();
    for (VolumeMount v : wanted) {
      VolumeRecord rec;
      if (v.name() == null) {
        rec = volumes.create(null, Map.of(), o.autoRemove() ? id : null);
        made.add(rec.name());
      } else {
        if (!Volumes.validName(v.name())) {
          throw RunnerErrors.invalidVolumeName(v.name());
        }
        rec = volumes.create(v.name(), Map.of());
      }
      out.add(
          new Resolved(
              new WiringRecord.UsedVolume(
                  rec.name(), clean(v.target()), v.readOnly(), rec.anonymous()),
              rec.mountpoint(),
              !v.noCopy()));
    }
    return out;
  }

  /** The bind mounts of the resolved volumes. */
  static List<RunMount> mounts(List<Resolved> resolved) {
    List<RunMount> out = new ArrayList<>();
    for (Resolved r : resolved) {
      out.add(new RunMount.Bind(r.data(), r.used().target(), r.used().readOnly()));
    }
    return out;
  }

  /** Fills the empty volumes from the mounted root filesystem. */
  static void fill(List<Resolved> resolved, Path rootfs) throws IOException {
    for (Resolved r : resolved) {
      if (r.copy()) {
        try {
          VolumeCopy.fill(rootfs, r.used().target(), r.data());
        } catch (IOException e) {
          throw new RunnerException(
              "cannot fill volume "
                  + r.used().name()
                  + " from the image's "
                  + r.used().target()
                  + ": "
                  + e.getMessage(),
              RunnerErrors.CANNOT_CREATE,
              e);
        }
      }
    }
  }

  private static void claim(Set<String> targets, String target) throws RunnerException {
    if (!targets.add(clean(target))) {
      throw new RunnerException(
          "duplicate mount point: " + clean(target), RunnerErrors.CANNOT_CREATE);
    }
  }

  /** {@code /a//b/} as {@code /a/b}. */
  static String clean(String path) {
    String p = path.replaceAll("/+", "/");
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }
}
