package dev.jbuild.cli;

import dev.jbuild.builder.Annotations;
import dev.jbuild.builder.publish.Export;
import dev.jbuild.layercache.model.Platform;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses {@code --annotation [TYPE[,TYPE...]:]KEY=VALUE} as buildx does: TYPE is {@code manifest}
 * (the default), {@code index}, {@code manifest-descriptor} or {@code index-descriptor}, each
 * optionally followed by {@code [os/arch]} to apply to one platform only. An annotation that has
 * nowhere to go is a usage error: {@code index} and {@code manifest-descriptor} need an image index
 * (several platforms, or attestations, which put the image and its attestation manifest in an
 * index), {@code index-descriptor} an OCI layout output ({@code -o type=oci}).
 */
final class AnnotationSpecs {
  private AnnotationSpecs() {}

  /**
   * @param index whether the build's result is an image index (several platforms or attestations)
   */
  static Annotations parse(List<String> values, boolean index) {
    List<Annotations.Annotation> out = new ArrayList<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq <= 0) {
        throw usage("invalid --annotation \"" + v + "\": expected [TYPE:]KEY=VALUE");
      }
      String left = v.substring(0, eq);
      String value = v.substring(eq + 1);
      int colon = left.indexOf(':');
      String types = colon < 0 ? "manifest" : left.substring(0, colon);
      String key = colon < 0 ? left : left.substring(colon + 1);
      if (key.isBlank()) {
        throw usage("invalid --annotation \"" + v + "\": the key is empty");
      }
      for (String t : types.split(",", -1)) {
        Optional<Platform> platform = Optional.empty();
        String type = t.strip();
        int bracket = type.indexOf('[');
        if (bracket >= 0) {
          if (!type.endsWith("]")) {
            throw usage("invalid --annotation \"" + v + "\": unclosed [ in " + type);
          }
          platform =
              Optional.of(
                  RegistryCli.parsePlatform(type.substring(bracket + 1, type.length() - 1)));
          type = type.substring(0, bracket);
        }
        Annotations.Level level =
            switch (type) {
              case "manifest" -> Annotations.Level.MANIFEST;
              case "index" -> Annotations.Level.INDEX;
              case "manifest-descriptor" -> Annotations.Level.MANIFEST_DESCRIPTOR;
              case "index-descriptor" -> Annotations.Level.INDEX_DESCRIPTOR;
              default ->
                  throw usage(
                      "invalid --annotation \""
                          + v
                          + "\": unknown type \""
                          + type
                          + "\" (expected manifest, index, manifest-descriptor or"
                          + " index-descriptor)");
            };
        if (!index
            && (level == Annotations.Level.INDEX
                || level == Annotations.Level.MANIFEST_DESCRIPTOR)) {
          throw usage(
              "--annotation "
                  + v
                  + ": a single-platform build without attestations makes no image index; "
                  + type
                  + " annotations need several platforms (--platform a,b) or an attestation"
                  + " (--provenance, --sbom, --attest)");
        }
        out.add(new Annotations.Annotation(level, platform, key, value));
      }
    }
    return new Annotations(out);
  }

  /**
   * The exports with the {@code index-descriptor} annotations added to every OCI output (buildx's
   * {@code annotation-index-descriptor.KEY} output field); refused without an OCI output.
   */
  static List<Export> onOciOutputs(Annotations annotations, List<Export> exports) {
    Map<String, String> notes = annotations.of(Annotations.Level.INDEX_DESCRIPTOR, null);
    if (notes.isEmpty()) {
      return exports;
    }
    List<Export> out = new ArrayList<>();
    boolean any = false;
    for (Export e : exports) {
      if (e.type() == Export.Type.OCI) {
        Map<String, String> attrs = new HashMap<>(e.attrs());
        notes.forEach((k, val) -> attrs.put(Export.INDEX_DESCRIPTOR_PREFIX + k, val));
        out.add(new Export(e.type(), e.dest(), attrs));
        any = true;
      } else {
        out.add(e);
      }
    }
    if (!any) {
      throw usage(
          "--annotation index-descriptor: annotates the image's entry in an OCI layout's"
              + " index.json: it needs -o type=oci");
    }
    return out;
  }

  private static UserException usage(String message) {
    return new UserException(ExitCodes.USAGE, message);
  }
}
