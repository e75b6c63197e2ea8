package dev.jbuild.cli;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.registry.ConsoleProgress;
import dev.jbuild.layercache.registry.Progress;
import dev.jbuild.layercache.registry.PushOptions;
import dev.jbuild.layercache.registry.Pusher;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Pushes an image from the store to a registry. */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = {
      "Push an image to a registry: NAME is an image in the store; DEST (default: NAME) is where",
      "it goes. Uncompressed layers are compressed on all cores (once: the result is kept)."
    })
public final class PushCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME[:TAG]", description = "Image in the store.")
  String name;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "DEST",
      description = "Destination reference (default: NAME).")
  String dest;

  @Option(
      names = "--compression",
      paramLabel = "gzip|zstd|none",
      defaultValue = "gzip",
      description = "Compression of uncompressed layers (default: ${DEFAULT-VALUE}).")
  String compression;

  @Option(
      names = "--compression-level",
      paramLabel = "N",
      defaultValue = "-1",
      description = "Compression level (default: gzip 1, zstd 3).")
  int level;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the pushed digest.")
  boolean quiet;

  @Override
  public Integer call() {
    ImageReference target = RegistryCli.parseReference(dest != null ? dest : name);
    Compression c =
        switch (compression.toLowerCase(Locale.ROOT)) {
          case "gzip" -> Compression.GZIP;
          case "zstd" -> Compression.ZSTD;
          case "none", "uncompressed" -> Compression.NONE;
          default ->
              throw new UserException(
                  ExitCodes.USAGE, "--compression must be gzip, zstd or none: " + compression);
        };
    var out = spec.commandLine().getOut();
    Progress progress =
        quiet ? Progress.none() : new ConsoleProgress(out, System.console() != null);
    try (Store store = Store.open(root.storeRoot());
        var _ = store.lockShared();
        var registries = RegistryCli.registries(System.getenv(), spec.commandLine().getErr())) {
      Descriptor image =
          store
              .images()
              .resolve(name)
              .orElseThrow(
                  () ->
                      new UserException(
                          ExitCodes.NOT_FOUND, "image not found in the store: " + name));
      if (!quiet) {
        out.println("The push refers to repository [" + target.name() + "]");
      }
      var result =
          new Pusher(store, registries, progress)
              .push(
                  image.withAnnotations(null),
                  target,
                  PushOptions.defaults()
                      .withCompression(c)
                      .withLevel(level)
                      .withMountFrom(List.of()));
      out.println(quiet ? result.digest().toString() : "Pushed " + target + "@" + result.digest());
      out.flush();
      return ExitCodes.OK;
    } catch (IOException e) {
      throw RegistryCli.userError(e);
    }
  }
}
