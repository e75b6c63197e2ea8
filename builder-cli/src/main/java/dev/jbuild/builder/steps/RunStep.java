package dev.jbuild.builder.steps;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.run.RunMounts;
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
import dev.jbuild.runner.RunSettings;
import dev.jbuild.runner.Trees;
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
public final class RunStep implements Step<RunStep.Prepared> {
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

  /** {@code RUN --security=insecure}, granted by the security.insecure entitlement. */
  private final boolean insecure;

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
              throw BuildErrors.hostNetworkNotAllowed();
            }
            yield Network.HOST;
          }
          case "default" -> services.network();
          default -> throw BuildErrors.unsupportedNetwork(in.network().get());
        };
    this.insecure =
        switch (in.security().orElse("sandbox")) {
          case "sandbox" -> false;
          case "insecure" -> {
            if (!services.runSettings().insecure()) {
              throw BuildErrors.insecureNotAllowed();
            }
            yield true;
          }
          default -> throw BuildErrors.unsupportedSecurity(in.security().get());
        };
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

  /**
   * What RUN resolved while computing the key: each mount with its absolute target and, for a bind
   * or cache mount with {@code from=}, the stage or image it reads.
   */
  public record Prepared(List<RunMounts.Planned> mounts) implements Step.Prepared {
    public Prepared {
      mounts = List.copyOf(mounts);
    }
  }

  @Override
  public Prepared prepare(KeyBuilder key, StageState state)
      throws IOException, StepFailure, InterruptedException {
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
    if (insecure) {
      key.put("security", "insecure");
    }
    RunSettings settings = services.runSettings();
    if (!settings.extraHosts().isEmpty()) {
      key.put("add-host", settings.extraHosts().toString());
    }
    if (!settings.rlimits().isEmpty()) {
      key.put("ulimit", settings.rlimits().toString());
    }
    if (settings.shmSize() != 0) {
      key.put("shm-size", Long.toString(settings.shmSize()));
    }
    key.put("platform", services.platform().toString());
    List<RunMounts.Planned> planned = new ArrayList<>();
    for (int i = 0; i < in.mounts().size(); i++) {
      RunMount m = in.mounts().get(i);
      String target = target(m).orElse(null);
      String desc = describe(m, target);
      Optional<RunMounts.Image> image = Optional.empty();
      if (m.type() == RunMount.Type.BIND || m.type() == RunMount.Type.CACHE) {
        Optional<SourceRef> from = i < mountSources.size() ? mountSources.get(i) : Optional.empty();
        if (from.isPresent()) {
          BaseImage img = services.sources().resolve(from.get());
          image = Optional.of(new RunMounts.Image(m.from().orElse("the image"), img.diffIds()));
          desc += " from=" + img.key();
          key.readsLayers("mount:" + i, img.diffIds());
        } else if (m.type() == RunMount.Type.BIND) {
          desc += " content=" + contextContent(key, i, m);
        }
      }
      key.put("mount:" + i, desc);
      planned.add(new RunMounts.Planned(m, i, target, image));
    }
    return new Prepared(planned);
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
      throw BuildErrors.mountTargetIsRoot(t.get());
    }
    return Optional.of(resolved);
  }

  private static String describe(RunMount m, String target) {
    StringBuilder b = new StringBuilder(m.type().id());
    if (target != null) {
      b.append(" target=").append(target);
    }
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
  private String contextContent(KeyBuilder key, int i, RunMount m) throws IOException, StepFailure {
    BuildContext ctx = services.requireContext("RUN --mount=type=bind");
    ContextFile top = RunMounts.contextSource(ctx, m.source().orElse("."));
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

  @Override
  public Optional<CacheRecord.Layer> execute(
      Prepared prepared, StageState state, Execution execution)
      throws IOException, StepFailure, InterruptedException {
    dev.jbuild.builder.run.Binfmt.requireRunnable(
        services.platform(), dev.jbuild.builder.run.Binfmt.DEFAULT_DIR);
    Deque<String> tail = new ArrayDeque<>();
    Path scratch = services.store().newTempDir("run");
    RunMounts.Sources sources =
        new RunMounts.Sources(
            services.store(),
            services.context(),
            services.cacheMounts(),
            services.secrets(),
            services.sshAgents());
    try (RunMounts set = RunMounts.open(sources, prepared.mounts(), env, scratch)) {
      List<dev.jbuild.runner.RunMount> mounts = new ArrayList<>(set.mounts());
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
              set.env(),
              user,
              workdir,
              null,
              network,
              mounts,
              services.runtime(),
              sink);
      req =
          req.withSourceDateEpoch(services.sourceDateEpoch())
              .withSettings(services.runSettings().withInsecure(insecure));
      dev.jbuild.builder.progress.Trace.mark("  run prepared");
      RunResult result = services.runner().run(req);
      dev.jbuild.builder.progress.Trace.mark("  run done");
      if (!result.succeeded()) {
        List<String> last;
        synchronized (tail) {
          last = List.copyOf(tail);
        }
        throw BuildErrors.processFailed(invocation.argv(), result.exitCode(), singleIdHint(), last);
      }
      return result.layer().map(l -> new CacheRecord.Layer(l.blob(), l.diffId()));
    } finally {
      Trees.deleteQuietly(scratch);
    }
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
