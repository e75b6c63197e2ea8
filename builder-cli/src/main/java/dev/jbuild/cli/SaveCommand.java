package dev.jbuild.cli;

import dev.jbuild.layercache.archive.DockerArchive;
import dev.jbuild.layercache.archive.OciArchive;
import dev.jbuild.layercache.archive.TaggedImage;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.Store;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Writes images to a docker-archive (docker load) or OCI archive. */
@Command(
    name = "save",
    mixinStandardHelpOptions = true,
    description = {
      "Write images to a tar archive: --format docker (default; what docker load reads) or oci",
      "(an OCI image layout, what skopeo oci-archive: reads)."
    })
public final class SaveCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images in the store.")
  List<String> images;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Archive to write (default: standard output).")
  Path output;

  @Option(
      names = "--format",
      paramLabel = "docker|oci",
      defaultValue = "docker",
      description = "Archive format (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description =
          "--format docker of a multi-platform image: the platform's image to write (default:"
              + " this machine's). An OCI archive holds every platform.")
  String platform;

  @Override
  public Integer call() {
    Platform wanted = RegistryCli.parsePlatform(platform);
    String f = format.toLowerCase(Locale.ROOT);
    if (!f.equals("docker") && !f.equals("oci")) {
      throw new UserException(ExitCodes.USAGE, "--format must be docker or oci: " + format);
    }
    try (Store store = Store.open(root.storeRoot());
        var _ = store.lockShared()) {
      var tagged = new ArrayList<TaggedImage>();
      for (String name : images) {
        var d =
            store
                .images()
                .resolve(name)
                .orElseThrow(
                    () ->
                        new UserException(
                            ExitCodes.NOT_FOUND, "image not found in the store: " + name));
        tagged.add(new TaggedImage(name.contains("@") ? null : name, d.withAnnotations(null)));
      }
      if (output == null) {
        OutputStream out = new BufferedOutputStream(root.stdout(), 1 << 16);
        write(store, f, tagged, wanted, out);
        out.flush();
      } else {
        AtomicFiles.sweep(output.toAbsolutePath().getParent());
        AtomicFiles.write(output, out -> write(store, f, tagged, wanted, out));
      }
      return ExitCodes.OK;
    } catch (java.nio.file.NoSuchFileException e) {
      // an index without the platform asked for
      throw new UserException(ExitCodes.NOT_FOUND, "save failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UserException(ExitCodes.FAILED, "save failed: " + e.getMessage(), e);
    }
  }

  private static void write(
      Store store, String format, List<TaggedImage> images, Platform platform, OutputStream out)
      throws IOException {
    if (format.equals("oci")) {
      OciArchive.write(store, images, out);
    } else {
      DockerArchive.write(store, images, platform, out);
    }
  }
}
