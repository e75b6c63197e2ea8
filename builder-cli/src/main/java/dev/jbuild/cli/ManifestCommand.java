package dev.jbuild.cli;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.registry.RawManifest;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild manifest create|add|remove|inspect|push|rm}: manifest lists (OCI image indexes) as
 * {@code buildah manifest} and {@code podman manifest} have them. A list is an index tagged in the
 * store ({@link ManifestLists}); its ID is the index digest.
 */
@Command(
    name = "manifest",
    mixinStandardHelpOptions = true,
    description = "Create, edit, inspect and push manifest lists (multi-platform image indexes).",
    subcommands = {
      ManifestCommand.Create.class,
      ManifestCommand.Add.class,
      ManifestCommand.Remove.class,
      ManifestCommand.Inspect.class,
      ManifestPush.class,
      ManifestCommand.Rm.class
    })
public final class ManifestCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCodes.USAGE;
  }

  /** Options {@code create} and {@code add} share. */
  static final class PlatformOptions {
    @Option(names = "--all", description = "For an image index: add every image it lists.")
    boolean all;

    @Option(
        names = "--platform",
        paramLabel = "OS/ARCH[/VARIANT]",
        description =
            "The platform recorded for the image (default: its config's), and the one picked"
                + " from an index.")
    String platform;

    @Option(names = "--os", paramLabel = "OS", description = "Override the recorded OS.")
    String os;

    @Option(
        names = "--arch",
        paramLabel = "ARCH",
        description = "Override the recorded architecture.")
    String arch;

    @Option(
        names = "--variant",
        paramLabel = "VARIANT",
        description = "Override the recorded variant.")
    String variant;

    ManifestLists.AddOptions toOptions() {
      Platform p = platform == null ? null : RegistryCli.parsePlatform(platform);
      return new ManifestLists.AddOptions(all, p, os, arch, variant);
    }
  }

  /** Adds {@code images} to the list {@code name} (created when {@code create}). */
  static ManifestLists.Found addAll(
      CommandSpecHolder h, String name, List<String> images, PlatformOptions p, boolean create)
      throws IOException {
    try (Store store = Store.open(JbuildCommand.of(h.spec()).storeRoot());
        var _ = store.lockShared();
        Registries registries =
            RegistryCli.registries(System.getenv(), h.spec().commandLine().getErr())) {
      ManifestLists lists = new ManifestLists(store);
      ImageIndex index;
      if (create) {
        Optional<ManifestLists.Found> existing = lists.find(name);
        if (existing.isPresent() && !h.amend()) {
          throw new UserException(
              ExitCodes.FAILED,
              "a manifest list named " + name + " already exists (--amend to add to it)");
        }
        index = existing.map(ManifestLists.Found::index).orElse(ImageIndex.of(List.of()));
      } else {
        index = lists.get(name).index();
      }
      List<Descriptor> added = new ArrayList<>();
      for (String image : images) {
        try {
          added.addAll(lists.entriesFor(image, p.toOptions(), registries));
        } catch (IOException e) {
          throw RegistryCli.userError(e);
        }
      }
      ManifestLists.Found saved = lists.save(name, ManifestLists.with(index, added));
      PrintWriter out = h.spec().commandLine().getOut();
      if (create) {
        out.println(saved.id());
      } else {
        for (Descriptor d : added) {
          out.println(saved.id() + ": " + d.digest());
        }
      }
      out.flush();
      return saved;
    }
  }

  interface CommandSpecHolder {
    picocli.CommandLine.Model.CommandSpec spec();

    default boolean amend() {
      return false;
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create a manifest list NAME, with IMAGEs (in the store, or registry references) in it.",
        "Prints the list's ID (its index digest)."
      })
  public static final class Create implements Callable<Integer>, CommandSpecHolder {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "IMAGE")
    List<String> images = new ArrayList<>();

    @Option(names = "--amend", description = "Add to NAME when it already exists.")
    boolean amend;

    @picocli.CommandLine.Mixin PlatformOptions platform = new PlatformOptions();

    @Override
    public picocli.CommandLine.Model.CommandSpec spec() {
      return spec;
    }

    @Override
    public boolean amend() {
      return amend;
    }

    @Override
    public Integer call() throws IOException {
      checkName(name);
      addAll(this, name, images, platform, true);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Add an image (in the store, or a registry reference: fetched into the store) to the",
        "manifest list NAME. Prints the list's ID and the image's manifest digest."
      })
  public static final class Add implements Callable<Integer>, CommandSpecHolder {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "IMAGE|REF")
    String image;

    @picocli.CommandLine.Mixin PlatformOptions platform = new PlatformOptions();

    @Override
    public picocli.CommandLine.Model.CommandSpec spec() {
      return spec;
    }

    @Override
    public Integer call() throws IOException {
      addAll(this, name, List.of(image), platform, false);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Remove the image with manifest DIGEST from the manifest list NAME.")
  public static final class Remove implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "DIGEST")
    String digest;

    @Override
    public Integer call() throws IOException {
      if (!Digest.isValid(digest)) {
        throw new UserException(ExitCodes.USAGE, "invalid digest \"" + digest + "\"");
      }
      Digest d = Digest.parse(digest);
      try (Store store = Store.open(JbuildCommand.of(spec).storeRoot());
          var _ = store.lockShared()) {
        ManifestLists lists = new ManifestLists(store);
        ManifestLists.Found list = lists.get(name);
        List<Descriptor> kept =
            list.index().manifests().stream().filter(m -> !m.digest().equals(d)).toList();
        if (kept.size() == list.index().manifests().size()) {
          throw new UserException(
              ExitCodes.NOT_FOUND, "manifest list " + name + " has no image " + d);
        }
        ManifestLists.Found saved = lists.save(name, list.index().withManifests(kept));
        PrintWriter out = spec.commandLine().getOut();
        out.println(saved.id() + ": " + d);
        out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = {
        "Print a manifest list (or any image index) as JSON: NAME in the store, else a registry",
        "reference (its manifest or index as the registry serves it)."
      })
  public static final class Inspect implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME|REF")
    String name;

    @Override
    public Integer call() throws IOException {
      byte[] bytes;
      try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
        Optional<Descriptor> local = store.images().resolve(name);
        if (local.isPresent()) {
          bytes = store.blobs().read(local.get().digest());
        } else {
          bytes = remote(store);
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(Json.parse(bytes).toPrettyString());
      out.flush();
      return ExitCodes.OK;
    }

    private byte[] remote(Store store) {
      ImageReference ref = RegistryCli.parseReference(name);
      try (Registries registries =
          RegistryCli.registries(System.getenv(), spec.commandLine().getErr())) {
        for (Registries.Source source : registries.pullSources(ref)) {
          Optional<RawManifest> m =
              source.registry().getManifest(source.repository(), ref.tagOrDigest());
          if (m.isPresent()) {
            return m.get().bytes();
          }
        }
        throw new UserException(ExitCodes.NOT_FOUND, "no such manifest list or image: " + name);
      } catch (IOException e) {
        throw RegistryCli.userError(e);
      }
    }
  }

  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = "Remove manifest lists from the store (the images in them stay while named).")
  public static final class Rm implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "NAME")
    List<String> names;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int exit = ExitCodes.OK;
      try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
        ManifestLists lists = new ManifestLists(store);
        for (String name : names) {
          try {
            ManifestLists.Found list = lists.get(name);
            store.images().untag(list.entry().refName());
            out.println("Untagged: " + ImageFinder.familiar(list.entry().refName()));
            if (store.images().list().stream()
                .noneMatch(d -> d.digest().equals(list.entry().digest()))) {
              out.println("Deleted: " + list.id());
            }
          } catch (UserException e) {
            err.println("jbuild: " + e.getMessage());
            exit = exit == ExitCodes.OK ? e.exitCode() : exit;
          }
        }
      }
      out.flush();
      err.flush();
      return exit;
    }
  }

  static void checkName(String name) {
    ImageReference ref = RegistryCli.parseReference(name);
    if (ref.digest() != null) {
      throw new UserException(
          ExitCodes.USAGE, "invalid manifest list name \"" + name + "\": it cannot have a digest");
    }
  }
}
