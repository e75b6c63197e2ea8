package dev.jbuild.cli;

import dev.jbuild.builder.BuildResult;
import dev.jbuild.layercache.archive.DockerArchive;
import dev.jbuild.layercache.archive.LocalExport;
import dev.jbuild.layercache.archive.OciArchive;
import dev.jbuild.layercache.archive.TaggedImage;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code build --output}: the image as an OCI or docker-archive tar, or its filesystem as a
 * directory (type=local) or a tar (type=tar), as buildx's exporters of those names.
 */
final class Outputs {
  private Outputs() {}

  /** One --output value. {@code dest} "-" is stdout (tar types only). */
  record Spec(String type, String dest, Map<String, String> attrs) {}

  static List<Spec> parse(List<String> values) {
    List<Spec> out = new ArrayList<>();
    for (String v : values) {
      if (!v.contains("=")) {
        out.add(new Spec("local", v, Map.of()));
        continue;
      }
      Map<String, String> attrs = new LinkedHashMap<>();
      for (String f : v.split(",")) {
        int eq = f.indexOf('=');
        if (eq <= 0) {
          throw new UserException(
              ExitCodes.USAGE, "invalid --output \"" + v + "\": expected key=value fields");
        }
        attrs.put(f.substring(0, eq).trim().toLowerCase(Locale.ROOT), f.substring(eq + 1).trim());
      }
      String type = attrs.remove("type");
      String dest = attrs.remove("dest");
      if (type == null) {
        throw new UserException(
            ExitCodes.USAGE, "invalid --output \"" + v + "\": type is required");
      }
      switch (type) {
        case "oci", "docker", "local", "tar" -> {}
        case "image", "registry" -> {
          throw new UserException(
              ExitCodes.USAGE,
              "--output type=" + type + ": the image always goes to the store; use -t and --push");
        }
        default ->
            throw new UserException(
                ExitCodes.USAGE,
                "invalid --output type \"" + type + "\": expected oci, docker, local or tar");
      }
      if (dest == null || dest.isEmpty()) {
        throw new UserException(ExitCodes.USAGE, "--output type=" + type + " needs dest=PATH");
      }
      if (type.equals("local") && dest.equals("-")) {
        throw new UserException(ExitCodes.USAGE, "--output type=local needs a directory, not -");
      }
      out.add(new Spec(type, dest, attrs));
    }
    return out;
  }

  static void write(Store store, BuildResult result, Spec spec, PrintWriter err)
      throws IOException {
    String name =
        spec.attrs()
            .getOrDefault("name", result.tags().isEmpty() ? null : result.tags().getFirst());
    List<TaggedImage> images =
        List.of(new TaggedImage(name, result.image().manifestDescriptor().withAnnotations(null)));
    switch (spec.type()) {
      case "oci" -> toFile(spec.dest(), out -> OciArchive.write(store, images, out));
      case "docker" -> toFile(spec.dest(), out -> DockerArchive.write(store, images, out));
      case "local" -> {
        Path dir = Path.of(spec.dest());
        Files.createDirectories(dir);
        LocalExport.write(store, result.image().manifestDescriptor(), dir);
      }
      case "tar" -> {
        Path tmp = store.newTempDir("export");
        LocalExport.write(store, result.image().manifestDescriptor(), tmp);
        toFile(
            spec.dest(),
            out -> {
              try (LayerWriter w = LayerWriter.open(out, LayerWriterOptions.defaults())) {
                DirectoryWalker.writeTo(tmp, DirectoryWalker.Options.defaults(), w);
                w.finish();
              }
            });
      }
      default -> throw new IllegalStateException(spec.type());
    }
  }

  private interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /** Writes atomically and durably ({@link AtomicFiles}), or to stdout for "-". */
  private static void toFile(String dest, Writer w) throws IOException {
    if (dest.equals("-")) {
      OutputStream out = System.out;
      w.write(out);
      out.flush();
      return;
    }
    Path target = Path.of(dest).toAbsolutePath();
    Path parent = target.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    AtomicFiles.sweep(parent);
    AtomicFiles.write(target, w::write);
  }
}
