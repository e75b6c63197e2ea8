package dev.jbuild.builder.exec;

import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.core.NamedContext;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.progress.Step;
import dev.jbuild.layercache.model.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Resolves the names of {@code --build-context}s before images: {@code FROM NAME}, {@code COPY
 * --from=NAME} and {@code RUN --mount from=NAME} read the context. A name matches as BuildKit's
 * named contexts match: as written, or in its familiar form ({@code
 * docker.io/library/alpine:latest} is {@code alpine}). A {@code docker-image://} context is that
 * image; a directory is the stage its {@link DirectoryStage} builds, and an {@code oci-layout://}
 * the image {@link OciLayoutImages} reads from the layout, each once per platform per build.
 */
public final class NamedContextImages implements ImageResolver {
  /** Builds the one-layer image of a directory context for a platform. */
  @FunctionalInterface
  public interface DirectoryStage {
    BaseImage build(String name, Path dir, Platform platform)
        throws IOException, StepFailure, InterruptedException;
  }

  private final ImageResolver images;
  private final Map<String, NamedContext> contexts;
  private final DirectoryStage directories;
  private final OciLayoutImages layouts;
  private final Map<String, CompletableFuture<BaseImage>> built = new ConcurrentHashMap<>();

  public NamedContextImages(
      ImageResolver images, Map<String, NamedContext> contexts, DirectoryStage directories) {
    this(images, contexts, directories, null);
  }

  /**
   * @param layouts reads {@code oci-layout://} contexts into the store
   */
  public NamedContextImages(
      ImageResolver images,
      Map<String, NamedContext> contexts,
      DirectoryStage directories,
      OciLayoutImages layouts) {
    this.images = images;
    this.contexts = Map.copyOf(contexts);
    this.directories = directories;
    this.layouts = layouts;
  }

  @Override
  public boolean pullsLazily() {
    return images.pullsLazily();
  }

  @Override
  public BaseImage resolve(
      String reference, Platform platform, boolean pull, Progress progress, Step shown)
      throws IOException, StepFailure, InterruptedException {
    String name = nameOf(reference);
    NamedContext c = name == null ? null : contexts.get(name);
    return switch (c) {
      case null -> images.resolve(reference, platform, pull, progress, shown);
      case NamedContext.Image i -> images.resolve(i.reference(), platform, pull, progress, shown);
      case NamedContext.Directory d -> {
        BaseImage b = once(name, platform, () -> directories.build(name, d.dir(), platform));
        progress.cached(shown); // its own steps were shown, as [context NAME ...]
        yield b;
      }
      case NamedContext.Remote r ->
          throw new IllegalStateException("remote context " + r.url() + " was not fetched");
      case NamedContext.OciLayout l -> {
        long t0 = System.nanoTime();
        boolean[] mine = new boolean[1];
        BaseImage b =
            once(
                name,
                platform,
                () -> {
                  mine[0] = true;
                  if (shown.id() > 0) {
                    progress.started(shown);
                  }
                  return layouts.load(name, l, platform);
                });
        if (shown.id() > 0) {
          if (mine[0]) {
            progress.finished(
                shown, java.time.Duration.ofNanos(System.nanoTime() - t0), "loaded from " + l);
          } else {
            progress.cached(shown);
          }
        }
        yield b;
      }
    };
  }

  /** The context name {@code reference} matches, or null. */
  String nameOf(String reference) {
    if (contexts.containsKey(reference)) {
      return reference;
    }
    String familiar = familiar(reference);
    return contexts.containsKey(familiar) ? familiar : null;
  }

  /** Docker's familiar form of an image name: no docker.io/library/, no :latest. */
  static String familiar(String reference) {
    String r = reference;
    for (String host : new String[] {"docker.io/", "index.docker.io/"}) {
      if (r.startsWith(host)) {
        r = r.substring(host.length());
        if (r.startsWith("library/") && r.indexOf('/', "library/".length()) < 0) {
          r = r.substring("library/".length());
        }
        break;
      }
    }
    if (r.endsWith(":latest") && r.lastIndexOf(':') > r.lastIndexOf('/') && !r.contains("@")) {
      r = r.substring(0, r.length() - ":latest".length());
    }
    return r;
  }

  /** What a context gives, made once per name and platform for the whole build. */
  @FunctionalInterface
  private interface Maker {
    BaseImage make() throws IOException, StepFailure, InterruptedException;
  }

  private BaseImage once(String name, Platform platform, Maker maker)
      throws IOException, StepFailure, InterruptedException {
    CompletableFuture<BaseImage> mine = new CompletableFuture<>();
    CompletableFuture<BaseImage> f = built.putIfAbsent(name + "\0" + platform, mine);
    if (f == null) {
      try {
        mine.complete(maker.make());
      } catch (Throwable t) {
        mine.completeExceptionally(t);
      }
      f = mine;
    }
    try {
      return f.get();
    } catch (ExecutionException e) {
      switch (e.getCause()) {
        case IOException io -> throw io;
        case StepFailure sf -> throw sf;
        case InterruptedException ie -> throw ie;
        case RuntimeException re -> throw re;
        case Error err -> throw err;
        default -> throw new IOException(e.getCause());
      }
    }
  }
}
