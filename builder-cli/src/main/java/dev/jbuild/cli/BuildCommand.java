package dev.jbuild.cli;

import dev.jbuild.builder.BuildFailure;
import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.builder.Builder;
import dev.jbuild.builder.exec.RegistryImages;
import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.publish.CacheExport;
import dev.jbuild.builder.publish.CacheImport;
import dev.jbuild.builder.publish.Export;
import dev.jbuild.builder.publish.Publication;
import dev.jbuild.builder.publish.PublishFailure;
import dev.jbuild.builder.run.Secrets;
import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.graph.PlanOptions;
import dev.jbuild.grammar.graph.UnknownTargetException;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.runner.Network;
import dev.jbuild.runner.Runner;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild build}: a Dockerfile and a context in, an image in the store out. */
@Command(
    name = "build",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Build an image from a Dockerfile and a context directory.",
      "Unchanged steps come from the cache; a changed input rebuilds its step and those after it."
    })
public final class BuildCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "CONTEXT",
      description =
          "The build context directory; a git URL (repo.git#ref:subdir) or an http(s) URL of an"
              + " archive or a Dockerfile; or - to read a tar archive (or a Dockerfile) from stdin.")
  String context;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "DOCKERFILE",
      description =
          "The Dockerfile (default: CONTEXT/Dockerfile, else CONTEXT/Containerfile); - reads it from stdin.")
  String file;

  @Option(
      names = {"-t", "--tag"},
      paramLabel = "NAME[:TAG]",
      description = "Name the image (repeatable).")
  List<String> tags = new ArrayList<>();

  @Option(
      names = "--build-arg",
      paramLabel = "KEY[=VALUE]",
      description =
          "Set a build argument (repeatable); KEY alone takes its value from the environment.")
  List<String> buildArgs = new ArrayList<>();

  @Option(
      names = "--target",
      paramLabel = "STAGE",
      description = "Build this stage (default: the last one).")
  String target;

  @Option(names = "--no-cache", description = "Do not use cached steps.")
  boolean noCache;

  @Option(names = "--pull", description = "Re-resolve base images in their registries.")
  boolean pull;

  @Option(
      names = "--label",
      paramLabel = "KEY=VALUE",
      description = "Add a label to the image (repeatable).")
  List<String> labels = new ArrayList<>();

  @Option(
      names = "--network",
      paramLabel = "default|host|none",
      defaultValue = "default",
      description =
          "Network of RUN steps: default = each step's own network namespace, outbound through"
              + " slirp4netns, the host's loopback out of reach; host (also lets RUN --network=host"
              + " through); none = loopback only (default: ${DEFAULT-VALUE}).")
  String network;

  @Option(
      names = "--allow",
      paramLabel = "ENTITLEMENT",
      description =
          "Grant an entitlement (BuildKit's): network.host lets RUN --network=host use the host's"
              + " network; security.insecure lets RUN --security=insecure run with every"
              + " capability and no seccomp filter (repeatable, or a comma list).")
  List<String> allow = new ArrayList<>();

  @Option(
      names = "--add-host",
      paramLabel = "HOST:IP",
      description =
          "Add a line to /etc/hosts of every RUN (repeatable; IP may be host-gateway: the host as"
              + " the step reaches it).")
  List<String> addHosts = new ArrayList<>();

  @Option(
      names = "--ulimit",
      paramLabel = "NAME=SOFT[:HARD]",
      description =
          "A resource limit of every RUN, as docker's (nofile, nproc, core, stack, memlock, ...;"
              + " -1 = unlimited; repeatable).")
  List<String> ulimits = new ArrayList<>();

  @Option(
      names = "--shm-size",
      paramLabel = "SIZE",
      description = "Size of /dev/shm in RUN steps (bytes, or with a unit: 128m, 1g; default 64m).")
  String shmSize;

  @Option(
      names = "--no-cache-filter",
      paramLabel = "STAGE[,STAGE]",
      description = "Run these stages' RUN steps even when cached (repeatable, or a comma list).")
  List<String> noCacheFilter = new ArrayList<>();

  @Option(
      names = "--secret",
      paramLabel = "id=ID,src=PATH",
      description = "A secret for RUN --mount=type=secret (repeatable; also id=ID,env=VAR).")
  List<String> secrets = new ArrayList<>();

  @Option(
      names = "--ssh",
      paramLabel = "ID[=SOCKET]",
      description =
          "Forward an SSH agent socket for RUN --mount=type=ssh (default socket: $SSH_AUTH_SOCK).")
  List<String> ssh = new ArrayList<>();

  @Option(
      names = "--progress",
      paramLabel = "auto|plain|tty|quiet|rawjson",
      defaultValue = "auto",
      description =
          "How to show progress; rawjson = one JSON object per event, as buildx's (default:"
              + " ${DEFAULT-VALUE}).")
  String progressMode;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the image ID.")
  boolean quiet;

  @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image ID to FILE.")
  Path iidfile;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT][,...]",
      description =
          "Target platform (default: this machine's); several (a comma list, or the option"
              + " repeated) build one image each under an OCI image index.")
  List<String> platforms = new ArrayList<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "type=TYPE[,KEY=VALUE...]",
      description =
          "Also export the result (repeatable): type=oci|docker,dest=PATH|- (image archive;"
              + " compression=gzip|zstd|uncompressed for oci, gzip by default; docker without"
              + " dest loads into the docker daemon), type=local,dest=DIR (the filesystem),"
              + " type=tar,dest=PATH|- (the filesystem as a tar), type=image[,name=REF,push=true,"
              + "compression=...,compression-level=N,force-compression=true,oci-mediatypes=BOOL,"
              + "rewrite-timestamp=true], type=registry (image with push=true), type=cacheonly;"
              + " a bare PATH means type=local,dest=PATH, - means type=tar,dest=-.")
  List<String> outputs = new ArrayList<>();

  @Option(names = "--push", description = "Push every -t name to its registry after the build.")
  boolean push;

  @Option(
      names = "--cache-from",
      paramLabel = "REF|type=registry,ref=REF|type=local,src=DIR",
      description =
          "Import cached steps before the build (repeatable): a registry cache, an image pushed"
              + " with an inline cache, or a local cache directory; a missing one is a warning.")
  List<String> cacheFrom = new ArrayList<>();

  @Option(
      names = "--cache-to",
      paramLabel = "type=registry,ref=REF|type=local,dest=DIR|type=inline",
      description =
          "Export this build's cached steps (repeatable): type=registry,ref=REF or"
              + " type=local,dest=DIR with mode=min|max, image-manifest=, oci-mediatypes=,"
              + " compression=gzip|zstd|uncompressed, compression-level=N, ignore-error=true;"
              + " type=inline writes them into the image's config.")
  List<String> cacheTo = new ArrayList<>();

  @Option(
      names = "--metadata-file",
      paramLabel = "FILE",
      description =
          "Write the build's result as docker buildx does (containerimage.digest,"
              + " containerimage.descriptor, containerimage.config.digest, image.name) to FILE.")
  Path metadataFile;

  @Option(
      names = "--runtime",
      paramLabel = "PATH",
      description = "OCI runtime for RUN steps (default: runc).")
  Path runtime;

  // -- issue 14, outputs side: named contexts, annotations, --load

  @Option(
      names = "--build-context",
      paramLabel = "NAME=DIR|docker-image://REF|GIT-URL|ARCHIVE-URL",
      description =
          "A named context (repeatable): FROM NAME, COPY --from=NAME and RUN --mount from=NAME read"
              + " it instead of the stage or image of that name.")
  List<String> buildContexts = new ArrayList<>();

  @Option(
      names = "--annotation",
      paramLabel = "[TYPE:]KEY=VALUE",
      description =
          "Annotate the image (repeatable); TYPE = manifest (default), index,"
              + " manifest-descriptor, index-descriptor, comma-separated, each with an optional"
              + " [os/arch].")
  List<String> annotations = new ArrayList<>();

  @Option(
      names = "--load",
      description = "Load the image into the docker daemon (as -o type=docker without dest).")
  boolean load;

  // -- end of issue 14, outputs side

  @picocli.CommandLine.Mixin CallOptions callOptions = new CallOptions();

  // -- issue 14, attestations

  @Option(
      names = "--attest",
      paramLabel = "type=provenance|sbom[,KEY=VALUE...]",
      description =
          "Attach an attestation to each image (repeatable): type=provenance[,mode=min|max] (SLSA"
              + " provenance v0.2), type=sbom (an SPDX 2.3 SBOM of the image's packages);"
              + " disabled=true turns one off.")
  List<String> attest = new ArrayList<>();

  @Option(
      names = "--provenance",
      paramLabel = "true|false|mode=min|max",
      arity = "0..1",
      parameterConsumer = AttestSpecs.OptionalValue.class,
      description =
          "Shorthand for --attest type=provenance (default: mode=min when the image is pushed or"
              + " exported as an image, as buildx; BUILDX_NO_DEFAULT_ATTESTATIONS=1 turns that"
              + " off).")
  String provenance;

  @Option(
      names = "--sbom",
      paramLabel = "true|false",
      arity = "0..1",
      parameterConsumer = AttestSpecs.OptionalValue.class,
      description = "Shorthand for --attest type=sbom.")
  String sbom;

  // -- end of issue 14, attestations

  @Override
  public Integer call() throws Exception {
    dev.jbuild.builder.progress.Trace.mark("build command");
    CallOptions.CallFunc callFunc = callOptions.parse();
    if (callFunc != null) {
      return Calls.run(this, callFunc); // --call / --check: no runner, no build
    }
    try {
      JbuildCommand.of(spec).isolation();
    } catch (dev.jbuild.runner.RunnerException e) {
      throw new UserException(e.exitCode(), e.getMessage(), e);
    }
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> env = root.env();
    Map<String, String> args;
    try {
      args = PlanOptions.parseBuildArgs(buildArgs, env);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage());
    }
    Map<String, String> labelMap = new LinkedHashMap<>();
    for (String l : labels) {
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw new UserException(
            ExitCodes.USAGE, "invalid --label \"" + l + "\": expected KEY=VALUE");
      }
      labelMap.put(l.substring(0, eq), l.substring(eq + 1));
    }
    Network net = NetworkOptions.parseBuildNetwork(network);
    boolean allowHostNetwork = NetworkOptions.allowsHostNetwork(allow, net);
    dev.jbuild.runner.RunSettings runSettings =
        RunSettingsSpecs.parse(NetworkOptions.allowsInsecure(allow), addHosts, ulimits, shmSize);
    java.util.Set<String> noCacheStages = RunSettingsSpecs.stages(noCacheFilter);
    Progress.Mode mode;
    try {
      mode = quiet ? Progress.Mode.QUIET : Progress.Mode.parse(progressMode);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage());
    }
    List<Platform> targetPlatforms = new ArrayList<>();
    for (String p : platforms) {
      for (String one : p.split(",", -1)) {
        if (one.isBlank()) {
          throw new UserException(
              ExitCodes.USAGE, "invalid --platform \"" + p + "\": empty platform in the list");
        }
        targetPlatforms.add(RegistryCli.parsePlatform(one.strip()));
      }
    }
    if (targetPlatforms.isEmpty()) {
      targetPlatforms.add(Platform.host());
    }
    Secrets secretValues;
    try {
      secretValues = Secrets.parse(secrets, env);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage());
    }
    Map<String, Path> sshAgents = parseSsh(ssh, env);
    List<Export> exports = Outputs.parse(outputs);
    // -- issue 14, outputs side
    exports = Outputs.check(exports, load, tags, quiet, sourceDateEpoch(args, env) != null);
    dev.jbuild.builder.attest.Attestations attestations =
        AttestSpecs.parse(attest, provenance, sbom, AttestSpecs.imageOut(push, exports), env);
    dev.jbuild.builder.Annotations annotationValues = null;
    if (!annotations.isEmpty()) {
      // an image index: several platforms, or one image with its attestation manifest
      annotationValues =
          AnnotationSpecs.parse(annotations, targetPlatforms.size() > 1 || attestations.any());
      exports = AnnotationSpecs.onOciOutputs(annotationValues, exports);
    }
    Map<String, dev.jbuild.builder.core.NamedContext> namedContexts =
        buildContexts.isEmpty() ? Map.of() : BuildContextSpecs.parse(buildContexts);
    // -- end of issue 14, outputs side
    List<CacheImport> from = CacheSpecs.imports(cacheFrom);
    List<CacheExport> to = CacheSpecs.exports(cacheTo);
    if (push && tags.isEmpty()) {
      throw new UserException(ExitCodes.USAGE, "--push needs at least one -t NAME");
    }
    List<ImageReference> pushTo =
        push ? tags.stream().map(RegistryCli::parseReference).toList() : List.of();
    Publication publication =
        new Publication(
            from,
            Optional.ofNullable(iidfile),
            exports,
            pushTo,
            to,
            quiet,
            Optional.ofNullable(metadataFile));
    Instant epoch = sourceDateEpoch(args, env);

    try (Store store = Store.open(root.storeRoot());
        var _ = store.lockShared();
        Registries registries = RegistryCli.registries(env, err)) {
      dev.jbuild.builder.progress.Trace.mark("store open");
      dev.jbuild.builder.remote.GitAccess remoteAccess = remoteAccess(secretValues, sshAgents, env);
      Inputs inputs =
          dev.jbuild.builder.remote.RemoteContexts.isRemote(context)
              ? Inputs.remote(context, file, store, remoteAccess, root.stdin())
              : Inputs.read(context, file, store, root.stdin(), root.isClientCall());
      namedContexts = RemoteNamedContexts.fetch(namedContexts, store, remoteAccess);
      dev.jbuild.builder.progress.Trace.mark("inputs read");
      BuildChecks.Request checkRequest =
          Calls.request(
              inputs,
              args,
              Optional.ofNullable(target),
              targetPlatforms.get(0),
              namedContexts.keySet());
      var checkOptions = Calls.beforeBuild(store, checkRequest, err);
      BuildRequest req =
          new BuildRequest(
              inputs.context(),
              inputs.dockerfileName(),
              inputs.dockerfileText(),
              inputs.dockerfilePath(),
              args,
              Optional.ofNullable(target),
              tags,
              labelMap,
              noCache,
              pull,
              net,
              secretValues,
              sshAgents,
              targetPlatforms,
              !platforms.isEmpty(),
              epoch,
              runtime,
              allowHostNetwork,
              publication,
              annotationValues,
              namedContexts,
              runSettings,
              noCacheStages,
              attestations);
      BuildResult result;
      Runner runner = Runner.create();
      dev.jbuild.builder.progress.Trace.mark("runner ready");
      Builder builder =
          new Builder(
              store,
              runner,
              new RegistryImages(store, registries, !cacheFrom.isEmpty()),
              registries,
              Clock.systemUTC());
      try (runner;
          Progress progress = Progress.create(mode, err, env)) {
        dev.jbuild.builder.progress.Trace.mark("progress ready");
        dev.jbuild.runner.Isolation isolation = dev.jbuild.runner.Isolation.current();
        progress.header(
            "#0 building with jbuild, isolation "
                + isolation.option()
                + " ("
                + isolation.description()
                + ")");
        result = builder.build(req, progress, err);
      } catch (PublishFailure e) {
        throw RegistryCli.userError(e.getCause());
      } catch (DockerfileException e) {
        throw new UserException(ExitCodes.DOCKERFILE, e.render());
      } catch (UnknownTargetException e) {
        throw new UserException(ExitCodes.NOT_FOUND, e.getMessage());
      } catch (BuildFailure f) {
        throw new UserException(
            exitCodeOf(f), Failures.render(f, inputs.dockerfileName(), inputs.dockerfileText()), f);
      }
      Calls.afterBuild(store, checkRequest, checkOptions, mode, err);
      if (quiet) {
        out.println(result.id());
      }
      out.flush();
      return ExitCodes.OK;
    } catch (NoSuchFileException e) {
      throw new UserException(ExitCodes.NOT_FOUND, "no such file or directory: " + e.getFile());
    }
  }

  private static int exitCodeOf(BuildFailure f) {
    Throwable c = f.getCause();
    if (c instanceof dev.jbuild.layercache.registry.RegistryException r) {
      return r.kind() == dev.jbuild.layercache.registry.RegistryException.Kind.NOT_FOUND
          ? ExitCodes.NOT_FOUND
          : ExitCodes.REGISTRY;
    }
    return ExitCodes.FAILED;
  }

  /** SOURCE_DATE_EPOCH from --build-arg (as BuildKit) or the environment. */
  private static Instant sourceDateEpoch(Map<String, String> args, Map<String, String> env) {
    String v = args.getOrDefault("SOURCE_DATE_EPOCH", env.get("SOURCE_DATE_EPOCH"));
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return LayerWriterOptions.parseSourceDateEpoch(v);
    } catch (IllegalArgumentException e) {
      throw new UserException(
          ExitCodes.USAGE, "invalid SOURCE_DATE_EPOCH \"" + v + "\": " + e.getMessage());
    }
  }

  private static Map<String, Path> parseSsh(List<String> specs, Map<String, String> env) {
    Map<String, Path> out = new LinkedHashMap<>();
    for (String s : specs) {
      int eq = s.indexOf('=');
      String id = eq < 0 ? s : s.substring(0, eq);
      String sock = eq < 0 ? env.get("SSH_AUTH_SOCK") : s.substring(eq + 1);
      if (id.isEmpty() || sock == null || sock.isEmpty()) {
        throw new UserException(
            ExitCodes.USAGE,
            "invalid --ssh \"" + s + "\": no socket given and SSH_AUTH_SOCK is not set");
      }
      Path p = Path.of(sock).toAbsolutePath();
      if (!Files.exists(p)) {
        throw new UserException(ExitCodes.NOT_FOUND, "--ssh " + id + ": no such socket: " + p);
      }
      out.put(id, p);
    }
    return out;
  }

  /** What a remote source may use: the build's secrets, its --ssh default agent, the bounds. */
  static dev.jbuild.builder.remote.GitAccess remoteAccess(
      Secrets secrets, Map<String, Path> sshAgents, Map<String, String> env) throws IOException {
    try {
      return new dev.jbuild.builder.remote.GitAccess(
          id -> {
            Optional<Secrets.Source> v = secrets.get(id);
            return v.isPresent() ? Optional.of(v.get().read()) : Optional.empty();
          },
          Optional.ofNullable(sshAgents.get("default")),
          dev.jbuild.layercache.registry.RegistryConfig.load(env),
          dev.jbuild.builder.remote.GitAccess.maxBytes(env));
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage());
    }
  }

  /** The Dockerfile and context as the arguments give them. */
  record Inputs(
      Optional<Path> context,
      String dockerfileName,
      String dockerfileText,
      Optional<Path> dockerfilePath) {

    static Inputs read(
        String contextArg, String fileArg, Store store, InputStream stdin, boolean clientCall)
        throws IOException {
      if ("-".equals(contextArg)) {
        if ("-".equals(fileArg)) {
          throw new UserException(
              ExitCodes.USAGE, "the context and the Dockerfile cannot both come from stdin");
        }
        byte[] head;
        InputStream in = stdin;
        Path dir = store.newTempDir("stdin-context");
        Path spool = dir.resolveSibling(dir.getFileName() + ".tar");
        Files.copy(in, spool);
        head = readHead(spool);
        if (looksLikeTar(head)) {
          dev.jbuild.layercache.tar.LayerApplier.apply(
              spool, dir, dev.jbuild.layercache.tar.ApplyMode.PLAIN);
          Files.deleteIfExists(spool);
          String name = fileArg == null ? "Dockerfile" : fileArg;
          return new Inputs(
              Optional.of(dir),
              name,
              DockerfileSource.fromContext(dir, name, name),
              Optional.of(dir.resolve(name)));
        }
        String text = DockerfileSource.fromUserPath(spool, "-");
        Files.deleteIfExists(spool);
        return new Inputs(Optional.empty(), "Dockerfile", text, Optional.empty());
      }
      Path ctx = Path.of(contextArg);
      if (!Files.isDirectory(ctx)) {
        throw new UserException(
            ExitCodes.NOT_FOUND,
            Files.exists(ctx)
                ? "context " + contextArg + " is not a directory"
                : "context directory not found: " + contextArg);
      }
      if ("-".equals(fileArg)) {
        String text = DockerfileSource.fromStream(stdin, "-");
        return new Inputs(Optional.of(ctx), "Dockerfile", text, Optional.empty());
      }
      if (fileArg == null) {
        // as buildah and podman: a context without a Dockerfile may have a Containerfile
        boolean containerfile =
            !Files.exists(ctx.resolve("Dockerfile"), LinkOption.NOFOLLOW_LINKS)
                && Files.exists(ctx.resolve("Containerfile"), LinkOption.NOFOLLOW_LINKS);
        String name = containerfile ? "Containerfile" : "Dockerfile";
        return new Inputs(
            Optional.of(ctx),
            name,
            DockerfileSource.fromContext(ctx, name, name),
            Optional.of(ctx.resolve(name)));
      }
      Path df = Path.of(fileArg);
      // for a daemon's client, a -f the client sent is an absolute path the daemon chose; any
      // other is a name in the context (never a path on the daemon's machine)
      if (df.isAbsolute() || (!clientCall && Files.exists(df))) {
        return new Inputs(
            Optional.of(ctx), fileArg, DockerfileSource.fromUserPath(df, fileArg), Optional.of(df));
      }
      // a -f name that is not a path from here is looked up in the context, confined to it
      return new Inputs(
          Optional.of(ctx),
          fileArg,
          DockerfileSource.fromContext(ctx, fileArg, fileArg),
          Optional.of(ctx.resolve(fileArg)));
    }

    /**
     * A remote context (git or http(s) URL), fetched into the store's staging area; {@code -f} is a
     * path inside it. A plain file is the Dockerfile, with no context.
     */
    static Inputs remote(
        String url,
        String fileArg,
        Store store,
        dev.jbuild.builder.remote.GitAccess access,
        InputStream stdin)
        throws IOException {
      dev.jbuild.builder.remote.RemoteContexts.Fetched f;
      try {
        f =
            dev.jbuild.builder.remote.RemoteContexts.fetch(
                url, access, store.newTempDir("remote-context"), java.time.Instant.now());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted fetching " + url);
      }
      if (f.dir().isEmpty()) {
        if ("-".equals(fileArg)) {
          throw new UserException(
              ExitCodes.USAGE, "the remote context " + url + " is a Dockerfile: -f - has no use");
        }
        return new Inputs(
            Optional.empty(), "Dockerfile", f.dockerfile().orElseThrow(), Optional.empty());
      }
      Path ctx = f.dir().get();
      if ("-".equals(fileArg)) {
        String text = DockerfileSource.fromStream(stdin, "-");
        return new Inputs(Optional.of(ctx), "Dockerfile", text, Optional.empty());
      }
      String name = fileArg;
      if (name == null) {
        boolean containerfile =
            !Files.exists(ctx.resolve("Dockerfile"), LinkOption.NOFOLLOW_LINKS)
                && Files.exists(ctx.resolve("Containerfile"), LinkOption.NOFOLLOW_LINKS);
        name = containerfile ? "Containerfile" : "Dockerfile";
      }
      return new Inputs(
          Optional.of(ctx),
          name,
          DockerfileSource.fromContext(ctx, name, name),
          Optional.of(ctx.resolve(name)));
    }

    private static byte[] readHead(Path f) throws IOException {
      try (InputStream in = Files.newInputStream(f)) {
        return in.readNBytes(512);
      }
    }

    /** A tar header (ustar magic, or a plausible v7 header checksum), possibly compressed. */
    private static boolean looksLikeTar(byte[] head) {
      if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
        return true;
      }
      if (head.length < 512) {
        return false;
      }
      String magic = new String(head, 257, 5, StandardCharsets.US_ASCII);
      return magic.equals("ustar");
    }
  }
}
