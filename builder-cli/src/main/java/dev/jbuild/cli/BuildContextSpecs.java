package dev.jbuild.cli;

import dev.jbuild.builder.core.NamedContext;
import dev.jbuild.layercache.model.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses {@code --build-context NAME=VALUE} as buildx does: VALUE is {@code docker-image://REF},
 * {@code oci-layout://DIR[:TAG][@DIGEST]}, a local directory, a git URL or an http(s) URL of an
 * archive (fetched before the build, see {@link RemoteNamedContexts}). Bake's {@code target:} is a
 * usage error naming the kind.
 */
final class BuildContextSpecs {
  private BuildContextSpecs() {}

  /** BuildKit's rule: a context name is a valid image name (lower case) without a tag. */
  private static final Pattern NAME =
      Pattern.compile(
          "[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::[\\w][\\w.-]{0,127})?");

  static Map<String, NamedContext> parse(List<String> values) {
    Map<String, NamedContext> out = new LinkedHashMap<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq <= 0 || eq == v.length() - 1) {
        throw usage("invalid --build-context \"" + v + "\": expected NAME=VALUE");
      }
      String name = v.substring(0, eq);
      String value = v.substring(eq + 1);
      if (!NAME.matcher(name).matches()) {
        throw usage(
            "invalid --build-context \""
                + v
                + "\": "
                + name
                + " is not a valid context name (lower case, as an image name)");
      }
      if (out.containsKey(name)) {
        throw usage("--build-context " + name + " given twice");
      }
      out.put(name, kind(name, value));
    }
    return out;
  }

  private static NamedContext kind(String name, String value) {
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.startsWith("docker-image://")) {
      String ref = value.substring("docker-image://".length());
      RegistryCli.parseReference(ref);
      return new NamedContext.Image(ref);
    }
    if (lower.startsWith("oci-layout://")) {
      return ociLayout(name, value);
    }
    if (lower.startsWith("target:")) {
      throw usage("--build-context " + name + "=" + value + ": target: is a bake context");
    }
    if (dev.jbuild.builder.remote.RemoteContexts.isRemote(value)) {
      return new NamedContext.Remote(value);
    }
    if (lower.contains("://")) {
      throw usage("--build-context " + name + "=" + value + ": unsupported context kind");
    }
    Path dir = Path.of(value);
    if (!Files.isDirectory(dir)) {
      throw new UserException(
          ExitCodes.NOT_FOUND,
          "--build-context "
              + name
              + ": "
              + (Files.exists(dir)
                  ? value + " is not a directory"
                  : "directory not found: " + value));
    }
    return new NamedContext.Directory(dir);
  }

  /** buildx's {@code TagRegexp}. */
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

  /**
   * {@code oci-layout://DIR[:TAG][@sha256:HEX]} split as buildx splits it: a digest after the last
   * {@code @}, then a tag after the last {@code :} (only when what follows is a valid tag, so a
   * path may hold colons), else the tag {@code latest}. The digest wins over the tag.
   */
  static NamedContext.OciLayout ociLayout(String name, String value) {
    String path = value.substring("oci-layout://".length());
    Digest digest = null;
    int at = path.lastIndexOf('@');
    if (at >= 0 && Digest.isValid(path.substring(at + 1))) {
      digest = Digest.parse(path.substring(at + 1));
      path = path.substring(0, at);
    } else if (at >= 0 && path.substring(at + 1).matches("[a-z0-9]+:.*")) {
      throw usage(
          "--build-context " + name + "=" + value + ": invalid digest " + path.substring(at + 1));
    }
    String tag = null;
    int colon = path.lastIndexOf(':');
    if (colon >= 0 && TAG.matcher(path.substring(colon + 1)).matches()) {
      tag = path.substring(colon + 1);
      path = path.substring(0, colon);
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    if (path.isEmpty()) {
      throw usage("--build-context " + name + "=" + value + ": no layout directory");
    }
    Path dir = Path.of(path);
    if (!Files.isDirectory(dir)) {
      throw new UserException(
          ExitCodes.NOT_FOUND,
          "--build-context "
              + name
              + ": "
              + (Files.exists(dir)
                  ? path + " is not a directory"
                  : "oci-layout directory not found: " + path));
    }
    return new NamedContext.OciLayout(dir, tag, digest);
  }

  private static UserException usage(String message) {
    return new UserException(ExitCodes.USAGE, message);
  }
}
