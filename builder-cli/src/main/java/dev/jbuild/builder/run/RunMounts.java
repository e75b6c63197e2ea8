package dev.jbuild.builder.run;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextException;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.IgnoredPaths;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.grammar.instructions.RunMount;
import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.Snapshot;
import dev.jbuild.runner.Snapshots;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sets up a RUN step's {@code --mount}s for the runner: binds of the context (filtered by
 * .dockerignore, see {@link IgnoredPaths}) or of a stage or image (mounted read-only, the source
 * resolved inside it), cache directories ({@link CacheMounts}), tmpfs, secrets ({@link Secrets}) as
 * files or environment variables, and SSH agent sockets. Everything it mounts or leases is released
 * by {@link #close()}, newest first.
 */
public final class RunMounts implements Closeable {
  /**
   * A mount as the step's prepare resolved it.
   *
   * @param spec the mount as written
   * @param index its position among the step's mounts
   * @param target its absolute path in the container (null for a secret or SSH mount without one)
   * @param image for a bind or cache mount with {@code from=}: the stage or image it names
   */
  public record Planned(RunMount spec, int index, String target, Optional<Image> image) {}

  /**
   * A stage or image a mount reads.
   *
   * @param name how the Dockerfile named it (for errors)
   * @param diffIds its layers, base first
   */
  public record Image(String name, List<Digest> diffIds) {
    public Image {
      diffIds = List.copyOf(diffIds);
    }
  }

  /** What mounts are made of: the build's store, context, caches, secrets and SSH agents. */
  public record Sources(
      Store store,
      Optional<BuildContext> context,
      CacheMounts cacheMounts,
      Secrets secrets,
      Map<String, Path> sshAgents) {}

  private final List<dev.jbuild.runner.RunMount> mounts = new ArrayList<>();
  private final List<String> env;
  private final List<Closeable> resources = new ArrayList<>();

  private RunMounts(List<String> env) {
    this.env = new ArrayList<>(env);
  }

  /**
   * Sets up {@code planned} in order.
   *
   * @param env the step's environment (secrets with {@code env=} and SSH_AUTH_SOCK are added)
   * @param scratch the step's scratch directory (secret files, copies, whiteout layers)
   */
  public static RunMounts open(
      Sources sources, List<Planned> planned, List<String> env, Path scratch)
      throws IOException, StepFailure {
    RunMounts out = new RunMounts(env);
    try {
      int ssh = 0;
      for (Planned p : planned) {
        out.mount(sources, p, scratch, p.spec().type() == RunMount.Type.SSH ? ssh++ : ssh);
      }
      return out;
    } catch (IOException | StepFailure | RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /** The mounts for the runner, in order. */
  public List<dev.jbuild.runner.RunMount> mounts() {
    return List.copyOf(mounts);
  }

  /** The step's environment with what the mounts add. */
  public List<String> env() {
    return List.copyOf(env);
  }

  /** Releases every mount and lease (best effort: the store's sweep removes leftovers). */
  @Override
  public void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (IOException ignored) {
        // best effort: the store sweep removes leftovers
      }
    }
    resources.clear();
  }

  private void mount(Sources sources, Planned p, Path scratch, int sshIndex)
      throws IOException, StepFailure {
    RunMount m = p.spec();
    String target = p.target();
    switch (m.type()) {
      case BIND -> bind(sources, p, scratch);
      case CACHE -> {
        CacheMounts.Sharing sharing =
            CacheMounts.Sharing.valueOf(m.sharing().orElse(RunMount.Sharing.SHARED).name());
        String id = m.effectiveId();
        Path seed = null;
        if (p.image().isPresent()) {
          // from=STAGE[,source=PATH]: the cache starts as a copy of that directory, and is its
          // own cache (BuildKit keys a cache mount on its input too): another content, another
          // cache
          seed = bindSource(sources, p, scratch).getLast();
          if (!Files.isDirectory(seed, LinkOption.NOFOLLOW_LINKS)) {
            throw BuildErrors.mountSource(
                "the source of a cache mount must be a directory: "
                    + m.source().orElse("/")
                    + " in "
                    + p.image().get().name());
          }
          id += "\0from=" + p.image().get().diffIds() + "\0source=" + m.source().orElse("/");
        }
        CacheMounts.Lease lease =
            sources
                .cacheMounts()
                .acquire(
                    id,
                    sharing,
                    m.mode().orElse(0755),
                    m.uid().orElse(0),
                    m.gid().orElse(0),
                    scratch,
                    seed);
        resources.add(lease);
        mounts.add(new dev.jbuild.runner.RunMount.Bind(lease.path(), target, m.readOnly()));
      }
      case TMPFS ->
          mounts.add(new dev.jbuild.runner.RunMount.Tmpfs(target, m.size().orElse(0L), 01777));
      case SECRET -> secret(sources.secrets(), m, target, scratch);
      case SSH -> {
        String id = m.effectiveId();
        Path sock = sources.sshAgents().get(id);
        if (sock == null) {
          if (m.required()) {
            throw BuildErrors.sshAgentNotForwarded(id);
          }
          return;
        }
        String t = target != null ? target : "/run/buildkit/ssh_agent." + sshIndex;
        mounts.add(dev.jbuild.runner.RunMount.Bind.readOnly(sock, t));
        if (env.stream().noneMatch(e -> e.startsWith("SSH_AUTH_SOCK="))) {
          env.add("SSH_AUTH_SOCK=" + t);
        }
      }
    }
  }

  private void secret(Secrets secrets, RunMount m, String target, Path scratch)
      throws IOException, StepFailure {
    String id = m.effectiveId();
    if (secrets.get(id).isEmpty()) {
      if (m.required()) {
        throw BuildErrors.secretNotProvided(id);
      }
      return;
    }
    if (m.env().isPresent()) {
      byte[] value = secrets.get(id).get().read();
      env.add(m.env().get() + "=" + new String(value, StandardCharsets.UTF_8));
    }
    if (target != null) {
      Path file =
          secrets.materialize(
              id, scratch, m.mode().orElse(0400), m.uid().orElse(0), m.gid().orElse(0));
      mounts.add(dev.jbuild.runner.RunMount.Bind.readOnly(file, target));
    }
  }

  private void bind(Sources sources, Planned p, Path scratch) throws IOException, StepFailure {
    RunMount m = p.spec();
    String target = p.target();
    List<Path> layers = bindSource(sources, p, scratch);
    Path source = layers.getLast();
    if (m.readOnly() && layers.size() == 1) {
      mounts.add(dev.jbuild.runner.RunMount.Bind.readOnly(source, target));
    } else if (m.readOnly()) {
      Snapshot view = Snapshots.mountDirectories(sources.store(), layers, false);
      resources.add(view::close);
      mounts.add(dev.jbuild.runner.RunMount.Bind.readOnly(view.root(), target));
    } else if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
      Snapshot view = Snapshots.mountDirectories(sources.store(), layers, true);
      resources.add(view::close);
      mounts.add(dev.jbuild.runner.RunMount.Bind.readWrite(view.root(), target));
    } else {
      Path copy = Files.createTempFile(scratch, "rw-", "");
      Files.copy(
          source, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
      mounts.add(dev.jbuild.runner.RunMount.Bind.readWrite(copy, target));
    }
  }

  /**
   * What a bind mount shows, as overlay layers top first; the last is the source itself. A context
   * directory with paths .dockerignore hides gets a layer of whiteouts over it (BuildKit's bind
   * sees the filtered context); otherwise the source alone.
   */
  private List<Path> bindSource(Sources sources, Planned p, Path scratch)
      throws IOException, StepFailure {
    RunMount m = p.spec();
    String source = m.source().orElse(p.image().isPresent() ? "/" : ".");
    if (p.image().isEmpty()) {
      BuildContext ctx =
          sources.context().orElseThrow(() -> BuildErrors.needsContext("RUN --mount=type=bind"));
      ContextFile top = contextSource(ctx, source);
      Path hidden = Files.createDirectory(scratch.resolve("ignored-" + p.index()));
      if (IgnoredPaths.writeWhiteouts(ctx, top, hidden) > 0) {
        return List.of(hidden, top.path());
      }
      return List.of(top.path());
    }
    Image img = p.image().get();
    Path root;
    if (img.diffIds().isEmpty()) {
      // an empty directory in the step's scratch, deleted with it (FROM scratch has no layers)
      root = Files.createDirectory(scratch.resolve("empty-" + p.index()));
    } else {
      Snapshot snap = Snapshots.mountReadOnly(sources.store(), img.diffIds());
      resources.add(snap::close);
      root = snap.root();
    }
    // resolved by the confined toolkit: symlinks of the image followed only inside it
    String rel;
    try (RootDir rd = RootDir.open(root)) {
      rel = rd.realPath(source, true);
    } catch (PosixException e) {
      if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
        throw BuildErrors.mountSourceNotFound(source, img.name());
      }
      throw e;
    }
    return List.of(rel.isEmpty() ? root : root.resolve(rel));
  }

  /** A bind mount's source in the context. */
  public static ContextFile contextSource(BuildContext ctx, String source) throws StepFailure {
    try {
      return ctx.resolve(source, false).getFirst();
    } catch (ContextException e) {
      throw BuildErrors.mountSource(e.getMessage());
    }
  }
}
