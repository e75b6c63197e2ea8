package dev.jbuild.runner.container;

/**
 * A volume mounted into a container: {@code -v NAME:/path[:ro]}, {@code -v /path} (anonymous),
 * {@code --mount type=volume,...}.
 *
 * @param name the volume (made when missing); null: a new anonymous volume
 * @param target the absolute path in the container
 * @param noCopy {@code volume-nocopy}: an empty volume is not filled from the image
 */
public record VolumeMount(String name, String target, boolean readOnly, boolean noCopy) {
  public VolumeMount {
    if (target == null || !target.startsWith("/")) {
      throw new IllegalArgumentException("volume target must be an absolute path: " + target);
    }
  }
}
