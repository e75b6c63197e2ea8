package dev.jbuild.cli;

import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.dump.PlanDump;
import dev.jbuild.grammar.dump.PlanText;
import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.PlanOptions;
import dev.jbuild.grammar.graph.PlatformSpec;
import dev.jbuild.grammar.graph.UnknownTargetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Print a Dockerfile's instruction graph after expansion. */
@Command(
    name = "parse",
    mixinStandardHelpOptions = true,
    description = {
      "Print a Dockerfile's stages and instructions after ARG/ENV expansion.",
      "Variables a base image defines are unknown here and expand as unset."
    })
public final class ParseCommand implements Callable<Integer> {
  /** The output formats. */
  public enum Format {
    text,
    json
  }

  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      defaultValue = "Dockerfile",
      description = "The Dockerfile ('-' reads standard input; default: ${DEFAULT-VALUE}).")
  String file;

  @Option(
      names = "--build-arg",
      paramLabel = "KEY=VALUE",
      description =
          "A build argument (repeatable); KEY alone takes the value from the environment.")
  List<String> buildArgs = new ArrayList<>();

  @Option(
      names = "--target",
      paramLabel = "STAGE",
      description = "Print only the stages this stage needs (default: all stages, target = last).")
  String target;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description = "Target platform for TARGETPLATFORM and friends (default: this machine's).")
  String platform;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Override
  public Integer call() {
    String name = file.equals("-") ? "<stdin>" : file;
    String text = read();
    PlanOptions options;
    try {
      PlatformSpec host = PlatformSpec.host();
      options =
          new PlanOptions(
              PlanOptions.parseBuildArgs(buildArgs, System.getenv()),
              Optional.ofNullable(target),
              platform == null ? host : PlatformSpec.parse(platform),
              host);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage());
    }
    String out;
    try {
      Dockerfile dockerfile = Dockerfiles.parse(name, text);
      BuildPlan plan = BuildGraph.plan(dockerfile, options);
      PlanDump.Scope scope = target == null ? PlanDump.Scope.ALL : PlanDump.Scope.TARGET;
      out = format == Format.json ? PlanDump.json(plan, scope) : PlanText.text(plan, scope);
    } catch (DockerfileException e) {
      throw new UserException(ExitCodes.DOCKERFILE, e.render(), e);
    } catch (UnknownTargetException e) {
      throw new UserException(ExitCodes.NOT_FOUND, name + ": " + e.getMessage(), e);
    }
    var w = spec.commandLine().getOut();
    w.print(out);
    w.flush();
    return ExitCodes.OK;
  }

  private String read() {
    try {
      if (file.equals("-")) {
        return DockerfileSource.fromStream(System.in, "-");
      }
      if (!Files.exists(Path.of(file))) {
        throw new NoSuchFileException(file);
      }
      return DockerfileSource.fromUserPath(Path.of(file), file);
    } catch (NoSuchFileException e) {
      throw new UserException(ExitCodes.NOT_FOUND, file + ": no such file");
    } catch (IOException e) {
      throw new UserException(ExitCodes.FAILED, file + ": " + e.getMessage(), e);
    }
  }
}
