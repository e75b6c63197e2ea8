package dev.jbuild.builder.steps;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextException;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.context.IgnoredPaths;
import dev.jbuild.builder.exec.BaseImage;
import dev.jbuild.builder.exec.BuildServices;
import dev.jbuild.builder.exec.StageState;
import dev.jbuild.builder.exec.StepFailure;
import dev.jbuild.builder.run.CacheMounts;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.grammar.instructions.RunInstruction;
import dev.jbuild.grammar.instructions.RunInvocation;
import dev.jbuild.grammar.instructions.RunMount;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.runner.Network;
import dev.jbuild.runner.OutputSink;
import dev.jbuild.runner.RunRequest;
import dev.jbuild.runner.RunResult;
import dev.jbuild.runner.Snapshot;
import dev.jbuild.runner.Snapshots;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * RUN: the command in a container over the stage's layers; what it changed becomes the layer.
 *
 * <p>The key holds what decides the result: the argv (after SHELL and heredocs), the environment
 * (image env, ENV and ARGs in scope; proxy build-args excluded, as Docker does), user, working
 * directory, network, and the mounts: a context bind by the content of what it exposes, a stage or
 * image bind by that stage's key or image's digest. Cache mount contents and secret values never
 * enter a key: they are not inputs Docker rebuilds for either.
 */
public final class RunStep implements Step {
  private static final int TAIL = 20;

  private final RunInstruction in;
  private final RunInvocation invocation;
  private final List<String> env;
  private final List<String> keyEnv;
  private final String user;
  private final String workdir;
  private final String createdBy;
  private final List<Optional<SourceRef>> mountSources;
  private final BuildServices services;
  private final Network network;
  private final List<BaseImage> mountImages = new ArrayList<>();

  /**
   * @param in the expanded RUN
   * @param shell the stage's SHELL
   * @param runEnv the environment the command gets
   * @param keyEnv the part of it that enters the key (runEnv without undeclared proxy args)
   * @param mountSources for each mount, its {@code from=} value when it has one
   * @param createdBy the history text
   */
  public RunStep(
      RunInstruction in,
      List<String> shell,
      List<String> runEnv,
      List<String> keyEnv,
      String user,
      String workdir,
      List<Optional<SourceRef>> mountSources,
      String createdBy,
      BuildServices services)
      throws StepFailure {
    this.in = in;
    this.invocation = in.invocation(shell);
    this.env = List.copyOf(runEnv);
    this.keyEnv = List.copyOf(keyEnv);
    this.user = user == null ? "" : user;
    this.workdir = workdir == null || workdir.isEmpty() ? "/" : workdir;
    this.mountSources = List.copyOf(mountSources);
    this.createdBy = createdBy;
    this.services = services;
    this.network =
        switch (in.network().orElse("default")) {
          case "none" -> Network.NONE;
          case "host" -> {
            if (!services.allowHostNetwork()) {
              throw new StepFailure(
                  "RUN --network=host needs the network.host entitlement: build with --allow"
                      + " network.host (or --network host)");
            }
            yield Network.HOST;
          }
          case "default" -> services.network();
          default -> throw new StepFailure("unsupported RUN --network=" + in.network().get());
        };
    if (in.security().isPresent() && !in.security().get().equals("sandbox")) {
      throw new StepFailure(
          "RUN --security="
              + in.security().get()
              + " is not supported: jbuild runs every step sandboxed");
    }
  }

  @Override
  public String kind() {
    return "run";
  }

  @Override
  public boolean producesLayer() {
    return true;
  }

  @Override
  public String createdBy() {
    return createdBy;
  }

  @Override
  public void inputs(KeyBuilder key, StageState state) throws Exception {
    key.put("argv", invocation.argv());
    for (RunInvocation.InlineFile f : invocation.files()) {
      key.put("inline:" + f.path(), Integer.toOctalString(f.mode()) + " " + f.content());
    }
    for (String e : keyEnv) {
      int eq = e.indexOf('=');
      key.put("env:" + (eq < 0 ? e : e.substring(0, eq)), eq < 0 ? "" : e.substring(eq + 1));
    }
    key.put("user", user);
    key.put("workdir", workdir);
    key.put("network", network.name());
    key.put("platform", services.platform().toString());
    for (int i = 0; i < in.mounts().size(); i++) {
      RunMount m = in.mounts().get(i);
      String desc = describe(m);
      if (m.type() == RunMount.Type.BIND || m.type() == RunMount.Type.CACHE) {
        Optional<SourceRef> from = i < mountSources.size() ? mountSources.get(i) : Optional.empty();
        if (from.isPresent()) {
          BaseImage img = services.sources().resolve(from.get());
          mountImages.add(img);
          desc += " from=" + img.key();
        } else {
          mountImages.add(null);
          if (m.type() == RunMount.Type.BIND) {
            desc += " content=" + contextContent(key, i, m);
          }
        }
      } else {
        mountImages.add(null);
      }
      key.put("mount:" + i, desc);
    }
  }

  /**
   * The mount's path in the container: a relative target is resolved against the WORKDIR, as
   * BuildKit does (every {@code docker init} template binds {@code target=pom.xml}); "/" is
   * refused.
   */
  private Optional<String> target(RunMount m) throws StepFailure {
    Optional<String> t = m.effectiveTarget();
    if (t.isEmpty()) {
      return t;
    }
    String resolved = WorkdirStep.resolve(workdir, t.get());
    if (resolved.equals("/")) {
      throw new StepFailure("invalid RUN --mount target \"" + t.get() + "\": it resolves to /");
    }
    return Optional.of(resolved);
  }

  private String describe(RunMount m) throws StepFailure {
    StringBuilder b = new StringBuilder(m.type().id());
    target(m).ifPresent(t -> b.append(" target=").append(t));
    m.source().ifPresent(s -> b.append(" source=").append(s));
    b.append(m.readOnly() ? " ro" : " rw");
    m.id().ifPresent(s -> b.append(" id=").append(s));
    m.sharing().ifPresent(s -> b.append(" sharing=").append(s));
    m.mode().ifPresent(s -> b.append(" mode=").append(Integer.toOctalString(s)));
    m.uid().ifPresent(s -> b.append(" uid=").append(s));
    m.gid().ifPresent(s -> b.append(" gid=").append(s));
    m.size().ifPresent(s -> b.append(" size=").append(s));
    m.env().ifPresent(s -> b.append(" env=").append(s));
    if (m.required()) {
      b.append(" required");
    }
    return b.toString();
  }

  /** The content hash of what a context bind mount exposes (files listed for explanations). */
  private String contextContent(KeyBuilder key, int i, RunMount m) throws Exception {
    BuildContext ctx = services.requireContext("RUN --mount=type=bind");
    ContextFile top = resolve(ctx, m.source().orElse("."));
    KeyBuilder sub = new KeyBuilder("bind");
    sub.put(".", mode(top));
    if (top.stat().isRegularFile()) {
      sub.put("content", ctx.contentHash(top).hex());
    } else if (top.stat().isDirectory()) {
      for (Iterator<ContextFile> it = ctx.walk(top, IgnoreFilter.NONE); it.hasNext(); ) {
        ContextFile f = it.next();
        String d = mode(f) + (f.stat().isRegularFile() ? " " + ctx.contentHash(f).hex() : "");
        if (f.stat().isSymlink()) {
          d += " -> " + Files.readSymbolicLink(f.path());
        }
        sub.put(f.rel(), d);
        key.put("mount:" + i + ":" + f.rel(), d);
      }
    }
    return sub.digest().toString();
  }

  private static String mode(ContextFile f) {
    return Integer.toOctalString(f.stat().mode());
  }

  private static ContextFile resolve(BuildContext ctx, String source) throws StepFailure {
    try {
      return ctx.resolve(source, false).getFirst();
    } catch (ContextException e) {
      throw new StepFailure("RUN --mount source " + e.getMessage());
    }
  }

  @Override
  public Optional<CacheRecord.Layer> execute(StageState state, Execution execution)
      throws Exception {
    Deque<String> tail = new ArrayDeque<>();
    List<Closeable> resources = new ArrayList<>();
    Path scratch = services.store().newTempDir("run");
    try {
      List<String> runEnv = new ArrayList<>(env);
      List<dev.jbuild.runner.RunMount> mounts = new ArrayList<>();
      for (int i = 0; i < in.mounts().size(); i++) {
        mount(in.mounts().get(i), i, mounts, runEnv, resources, scratch);
      }
      for (RunInvocation.InlineFile f : invocation.files()) {
        Path file = Files.createTempFile(scratch, "heredoc-", "");
        Files.writeString(file, f.content(), StandardCharsets.UTF_8);
        Posix.chmod(file, f.mode());
        mounts.add(dev.jbuild.runner.RunMount.Bind.readOnly(file, f.path()));
      }
      OutputSink sink =
          (stream, line) -> {
            synchronized (tail) {
              tail.addLast(line);
              while (tail.size() > TAIL) {
                tail.removeFirst();
              }
            }
            execution.output().line(line);
          };
      RunRequest req =
          new RunRequest(
              services.store(),
              state.diffIds(),
              invocation.argv(),
              runEnv,
              user,
              workdir,
              null,
              network,
              mounts,
              services.runtime(),
              sink);
      req = req.withSourceDateEpoch(services.sourceDateEpoch());
      dev.jbuild.builder.Trace.mark("  run prepared");
      RunResult result = services.runner().run(req);
      dev.jbuild.builder.Trace.mark("  run done");
      if (!result.succeeded()) {
        List<String> last;
        synchronized (tail) {
          last = List.copyOf(tail);
        }
        throw new StepFailure(
            "process \""
                + String.join(" ", invocation.argv())
                + "\" did not complete successfully: exit code: "
                + result.exitCode()
                + singleIdHint(),
            last,
            result.exitCode());
      }
      return result.layer().map(l -> new CacheRecord.Layer(l.blob(), l.diffId()));
    } finally {
      for (int i = resources.size() - 1; i >= 0; i--) {
        try {
          resources.get(i).close();
        } catch (IOException ignored) {
          // best effort: the store sweep removes leftovers
        }
      }
      try {
        dev.jbuild.runner.workspace.Trees.delete(scratch);
      } catch (IOException ignored) {
        // the store's temp sweep removes what is left
      }
    }
  }

  private void mount(
      RunMount m,
      int index,
      List<dev.jbuild.runner.RunMount> mounts,
      List<String> runEnv,
      List<Closeable> resources,
      Path scratch)
      throws Exception {
    String target = target(m).orElse(null);
    switch (m.type()) {
      case BIND -> {
        List<Path> layers = bindSource(m, index, resources, scratch);
        Path source = layers.getLast();
        if (m.readOnly() && layers.size() == 1) {
          mounts.add(dev.jbuild.runner.RunMount.Bind.readOnly(source, target));
        } else if (m.readOnly()) {
          Snapshot view = Snapshots.mountDirectories(services.store(), layers, false);
          resources.add(view::close);
          mounts.add(dev.jbuild.runner.RunMount.Bind.readOnly(view.root(), target));
        } else {
          if (Files.isDirectory(source, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Snapshot view = Snapshots.mountDirectories(services.store(), layers, true);
            resources.add(view::close);
            mounts.add(dev.jbuild.runner.RunMount.Bind.readWrite(view.root(), target));
          } else {
            Path copy = Files.createTempFile(scratch, "rw-", "");
            Files.copy(
                source,
                copy,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            mounts.add(dev.jbuild.runner.RunMount.Bind.readWrite(copy, target));
          }
        }
      }
      case CACHE -> {
        CacheMounts.Sharing sharing =
            CacheMounts.Sharing.valueOf(m.sharing().orElse(RunMount.Sharing.SHARED).name());
        CacheMounts.Lease lease =
            services
                .cacheMounts()
                .acquire(
                    m.effectiveId(),
                    sharing,
                    m.mode().orElse(0755),
                    m.uid().orElse(0),
                    m.gid().orElse(0),
                    scratch);
        resources.add(lease);
        mounts.add(new dev.jbuild.runner.RunMount.Bind(lease.path(), target, m.readOnly()));
      }
      case TMPFS ->
          mounts.add(new dev.jbuild.runner.RunMount.Tmpfs(target, m.size().orElse(0L), 01777));
      case SECRET -> {
        String id = m.effectiveId();
        if (services.secrets().get(id).isEmpty()) {
          if (m.required()) {
            throw new StepFailure(
                "secret " + id + ": not provided (use --secret id=" + id + ",src=PATH)");
          }
          return;
        }
        if (m.env().isPresent()) {
          byte[] value = services.secrets().get(id).get().read();
          runEnv.add(m.env().get() + "=" + new String(value, StandardCharsets.UTF_8));
        }
        if (target != null) {
          Path file =
              services
                  .secrets()
                  .materialize(
                      id, scratch, m.mode().orElse(0400), m.uid().orElse(0), m.gid().orElse(0));
          mounts.add(dev.jbuild.runner.RunMount.Bind.readOnly(file, target));
        }
      }
      case SSH -> {
        String id = m.effectiveId();
        Path sock = services.sshAgents().get(id);
        if (sock == null) {
          if (m.required()) {
            throw new StepFailure(
                "no SSH agent forwarded for id " + id + " (use --ssh " + id + ")");
          }
          return;
        }
        String t = target != null ? target : "/run/buildkit/ssh_agent." + sshIndex(index);
        mounts.add(dev.jbuild.runner.RunMount.Bind.readOnly(sock, t));
        if (runEnv.stream().noneMatch(e -> e.startsWith("SSH_AUTH_SOCK="))) {
          runEnv.add("SSH_AUTH_SOCK=" + t);
        }
      }
    }
  }

  private int sshIndex(int mountIndex) {
    int n = 0;
    for (int i = 0; i < mountIndex; i++) {
      if (in.mounts().get(i).type() == RunMount.Type.SSH) {
        n++;
      }
    }
    return n;
  }

  /**
   * What a bind mount shows, as overlay layers top first; the last is the source itself. A context
   * directory with paths .dockerignore hides gets a layer of whiteouts over it (BuildKit's bind
   * sees the filtered context); otherwise the source alone.
   */
  private List<Path> bindSource(RunMount m, int index, List<Closeable> resources, Path scratch)
      throws Exception {
    BaseImage img = index < mountImages.size() ? mountImages.get(index) : null;
    String source = m.source().orElse(img != null ? "/" : ".");
    if (img == null) {
      BuildContext ctx = services.requireContext("RUN --mount=type=bind");
      ContextFile top = resolve(ctx, source);
      Path hidden = Files.createDirectory(scratch.resolve("ignored-" + index));
      if (IgnoredPaths.writeWhiteouts(ctx, top, hidden) > 0) {
        return List.of(hidden, top.path());
      }
      return List.of(top.path());
    }
    Path root;
    if (img.layers().isEmpty()) {
      root = services.store().newTempDir("scratch");
    } else {
      Snapshot snap = Snapshots.mountReadOnly(services.store(), img.diffIds());
      resources.add(snap::close);
      root = snap.root();
    }
    // resolved by the confined toolkit: symlinks of the image followed only inside it
    String rel;
    try (dev.jbuild.layercache.fs.RootDir rd = dev.jbuild.layercache.fs.RootDir.open(root)) {
      rel = rd.realPath(source, true);
    } catch (dev.jbuild.layercache.fs.PosixException e) {
      if (e.errno() == dev.jbuild.layercache.fs.Errno.ENOENT
          || e.errno() == dev.jbuild.layercache.fs.Errno.ENOTDIR) {
        throw new StepFailure(
            "RUN --mount source " + source + ": not found in " + m.from().orElse("the image"));
      }
      throw e;
    }
    return List.of(rel.isEmpty() ? root : root.resolve(rel));
  }

  /** The environment entries of {@code env} as a map (for history and tests). */
  static Map<String, String> asMap(List<String> env) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (String e : env) {
      int eq = e.indexOf('=');
      m.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
    }
    return m;
  }

  /**
   * In a user namespace that maps one id only (a user without ranges in /etc/subuid), chown to any
   * other id fails inside the step: say so, since the step's own message ("Invalid argument") does
   * not.
   */
  private static String singleIdHint() {
    dev.jbuild.layercache.fs.UserNamespace ns = dev.jbuild.layercache.fs.UserNamespace.current();
    if (ns.isInitial() || ns.uids().size() > 1 || ns.uids().getFirst().count() > 1) {
      return "";
    }
    String user = System.getenv().getOrDefault("JBUILD_USER", "your user");
    return " (jbuild's user namespace maps one id only, so a chown or a USER other than root fails"
        + " in RUN: give "
        + user
        + " ranges in /etc/subuid and /etc/subgid, then run 'jbuild system migrate')";
  }
}
