package dev.jbuild.cli;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.registry.ConsoleProgress;
import dev.jbuild.layercache.registry.Progress;
import dev.jbuild.layercache.registry.PushOptions;
import dev.jbuild.layercache.registry.Pusher;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild manifest push [--all] NAME REF}: as buildah, without {@code --all} only the index
 * goes (the registry must already have every image it lists: checked first, a missing one fails the
 * push naming it); with {@code --all} every image and blob too (blobs the registry has are skipped,
 * blobs of another repository of the same registry are mounted, uncompressed layers compressed).
 */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = {
      "Push the manifest list NAME to REF (default: NAME). Without --all only the index is pushed",
      "and the registry must have its images; --all pushes every image with it."
    })
public final class ManifestPush implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Parameters(index = "1", arity = "0..1", paramLabel = "REF")
  String dest;

  @Option(names = "--all", description = "Push every image of the list, not only the index.")
  boolean all;

  @Option(
      names = "--compression",
      paramLabel = "gzip|zstd|none",
      defaultValue = "gzip",
      description =
          "With --all: compression of uncompressed layers (default: ${DEFAULT-VALUE}). A"
              + " compressed layer changes its image's manifest digest, so the index pushed lists"
              + " the new digests.")
  String compression;

  @Option(names = "--rm", description = "Remove the manifest list from the store after the push.")
  boolean rm;

  @Option(
      names = "--digestfile",
      paramLabel = "FILE",
      description = "Write the pushed index's digest to FILE.")
  Path digestFile;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress.")
  boolean quiet;

  private Compression compression() {
    return switch (compression.toLowerCase(java.util.Locale.ROOT)) {
      case "gzip" -> Compression.GZIP;
      case "zstd" -> Compression.ZSTD;
      case "none", "uncompressed" -> Compression.NONE;
      default ->
          throw new UserException(
              ExitCodes.USAGE, "--compression must be gzip, zstd or none: " + compression);
    };
  }

  @Override
  public Integer call() throws IOException {
    ImageReference target = RegistryCli.parseReference(dest != null ? dest : name);
    var out = spec.commandLine().getOut();
    Progress progress =
        quiet ? Progress.none() : new ConsoleProgress(out, System.console() != null);
    try (Store store = Store.open(JbuildCommand.of(spec).storeRoot());
        var _ = store.lockShared();
        var registries = RegistryCli.registries(System.getenv(), spec.commandLine().getErr())) {
      ManifestLists.Found list = new ManifestLists(store).get(name);
      Pusher pusher = new Pusher(store, registries, progress);
      Pusher.Result result;
      try {
        result =
            all
                ? pusher.push(
                    list.entry().withAnnotations(null),
                    target,
                    PushOptions.defaults().withCompression(compression()).withMountFrom(List.of()))
                : pusher.pushIndexOnly(list.entry().withAnnotations(null), target);
      } catch (IOException e) {
        throw RegistryCli.userError(e);
      }
      if (digestFile != null) {
        AtomicFiles.write(
            digestFile,
            result.digest().toString().getBytes(StandardCharsets.US_ASCII),
            AtomicFiles.Options.DEFAULT.withMode(0666));
      }
      out.println(quiet ? result.digest().toString() : "Pushed " + target + "@" + result.digest());
      if (rm) {
        store.images().untag(list.entry().refName());
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
