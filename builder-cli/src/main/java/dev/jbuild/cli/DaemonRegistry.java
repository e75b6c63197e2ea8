package dev.jbuild.cli;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.registry.Progress;
import dev.jbuild.layercache.registry.PullOptions;
import dev.jbuild.layercache.registry.Puller;
import dev.jbuild.layercache.registry.PushOptions;
import dev.jbuild.layercache.registry.Pusher;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code pull} and {@code push} for the daemon's API: the same Puller and Pusher as the commands,
 * with the client's credentials ({@code X-Registry-Auth}) before the daemon's own.
 */
public final class DaemonRegistry {
  private DaemonRegistry() {}

  /** What a pull did: the reference, whether the store's image changed, the manifest digest. */
  public record Pulled(String reference, boolean newer, String digest) {}

  /** One pushed tag. */
  public record Pushed(String tag, String digest, long size) {}

  /**
   * Checks {@code credential} against registry {@code host} as docker's login does (the API check,
   * {@code GET /v2/}, with them): the registry's own failure as it is, a {@link
   * dev.jbuild.layercache.registry.RegistryException} (UNAUTHORIZED for rejected credentials).
   */
  public static void login(
      Map<String, String> env,
      String host,
      dev.jbuild.layercache.registry.auth.RegistryCredential credential,
      PrintWriter log)
      throws IOException {
    var config = RegistryCli.registries(env, log).config();
    try (var registry =
        new dev.jbuild.layercache.registry.http.HttpRegistry(
            host, config, CredentialStore.of(Map.of(host, credential)))) {
      registry.ping();
    }
  }

  /** The URL a login checks, as docker names it: {@code http://HOST/v2/} for plain HTTP. */
  public static String loginUrl(Map<String, String> env, String host, PrintWriter log) {
    var config = RegistryCli.registries(env, log).config();
    return (config.insecure(host) ? "http://" : "https://") + host + "/v2/";
  }

  public static ImageReference reference(String text) {
    return RegistryCli.parseReference(text);
  }

  public static Pulled pull(
      Store store,
      Map<String, String> env,
      CredentialStore auth,
      String name,
      String platform,
      Progress progress,
      PrintWriter log)
      throws IOException {
    ImageReference ref = RegistryCli.parseReference(name);
    Platform p = RegistryCli.parsePlatform(platform);
    try (var _ = store.lockShared();
        Registries registries = registries(env, auth, log)) {
      Optional<Descriptor> before =
          ref.digest() == null ? store.images().resolve(ref.familiarString()) : Optional.empty();
      var result =
          new Puller(store, registries, progress)
              .pullDetailed(ref, p, new PullOptions(true, null, 4));
      boolean same = before.isPresent() && before.get().digest().equals(result.manifest().digest());
      return new Pulled(ref.familiarString(), !same, result.manifest().digest().toString());
    } catch (IOException e) {
      throw RegistryCli.userError(e);
    }
  }

  /**
   * Pushes {@code repository:tag}, or every tag of the repository when {@code tag} is empty (as
   * dockerd does).
   */
  public static List<Pushed> push(
      Store store,
      Map<String, String> env,
      CredentialStore auth,
      String repository,
      String tag,
      Progress progress,
      PrintWriter log)
      throws IOException {
    List<String> names = new ArrayList<>();
    if (tag != null && !tag.isEmpty()) {
      names.add(repository + ":" + tag);
    } else {
      ImageReference repo = RegistryCli.parseReference(repository);
      for (Descriptor d : store.images().tagged()) {
        try {
          ImageReference r = ImageReference.parse(d.refName());
          if (r.name().equals(repo.name()) && r.tag() != null) {
            names.add(r.toString());
          }
        } catch (IllegalArgumentException e) {
          // not a docker reference: not this repository's
        }
      }
      if (names.isEmpty()) {
        throw new UserException(
            ExitCodes.NOT_FOUND, "An image does not exist locally with the tag: " + repository);
      }
    }
    List<Pushed> out = new ArrayList<>();
    try (var _ = store.lockShared();
        Registries registries = registries(env, auth, log)) {
      for (String n : names) {
        ImageReference target = RegistryCli.parseReference(n);
        Descriptor image =
            store
                .images()
                .resolve(n)
                .orElseThrow(
                    () ->
                        new UserException(
                            ExitCodes.NOT_FOUND,
                            "An image does not exist locally with the tag: " + n));
        var result =
            new Pusher(store, registries, progress)
                .push(
                    image.withAnnotations(null),
                    target,
                    PushOptions.defaults().withMountFrom(List.of()));
        out.add(
            new Pushed(
                target.tag() == null ? "latest" : target.tag(),
                result.digest().toString(),
                result.size()));
      }
    } catch (IOException e) {
      throw RegistryCli.userError(e);
    }
    return out;
  }

  private static Registries registries(
      Map<String, String> env, CredentialStore auth, PrintWriter log) {
    Registries own = RegistryCli.registries(env, log);
    if (auth == null) {
      return own;
    }
    return new Registries(own.config(), auth.orElse(own.credentials()));
  }
}
