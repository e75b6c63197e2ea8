package dev.jbuild.cli;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.registry.ConsoleProgress;
import dev.jbuild.layercache.registry.Progress;
import dev.jbuild.layercache.registry.PullOptions;
import dev.jbuild.layercache.registry.Puller;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Pulls an image from a registry into the store. */
@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    description = {
      "Pull an image from a registry (Docker Hub by default: debian = docker.io/library/debian:latest).",
      "Mirrors, insecure registries and CAs come from registries.json; credentials from Docker's",
      "config.json and credential helpers (see jbuild login)."
    })
public final class PullCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "NAME[:TAG|@DIGEST]", description = "The image reference.")
  String name;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description = "Platform of a multi-arch image (default: this machine's).")
  String platform;

  @Option(
      names = "--all-platforms",
      description =
          "Pull the whole image index and every platform's image; the index is tagged (one"
              + " multi-platform image in the store).")
  boolean allPlatforms;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the image reference.")
  boolean quiet;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      defaultValue = "4",
      description = "Layers downloaded at once (default: ${DEFAULT-VALUE}).")
  int parallel;

  @Override
  public Integer call() {
    ImageReference ref = RegistryCli.parseReference(name);
    Platform p = RegistryCli.parsePlatform(platform);
    var out = spec.commandLine().getOut();
    Progress progress =
        quiet ? Progress.none() : new ConsoleProgress(out, System.console() != null);
    try (Store store = Store.open(root.storeRoot());
        var _ = store.lockShared();
        var registries = RegistryCli.registries(System.getenv(), spec.commandLine().getErr())) {
      Optional<Descriptor> before =
          ref.digest() == null
              ? store.images().resolve(ref.familiarString())
              : Optional.<Descriptor>empty();
      var puller = new Puller(store, registries, progress);
      if (allPlatforms && platform != null) {
        throw new UserException(
            ExitCodes.USAGE, "--all-platforms and --platform cannot be used together");
      }
      var options = new PullOptions(true, null, Math.max(1, parallel));
      var result =
          allPlatforms ? puller.pullAll(ref, options) : puller.pullDetailed(ref, p, options);
      if (!quiet) {
        boolean same =
            before.isPresent() && before.get().digest().equals(result.manifest().digest());
        out.println(
            (same ? "Status: Image is up to date for " : "Status: Downloaded newer image for ")
                + ref.familiarString()
                + " (from "
                + result.source()
                + ")");
      }
      out.println(ref);
      out.flush();
      return ExitCodes.OK;
    } catch (IOException e) {
      throw RegistryCli.userError(e);
    } catch (Exception e) {
      throw e instanceof RuntimeException r
          ? r
          : new UserException(ExitCodes.FAILED, e.getMessage(), e);
    }
  }
}
