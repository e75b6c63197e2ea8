package dev.jbuild.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import picocli.CommandLine;

/** jbuild's command line run in this JVM, with what it writes to stdout and stderr captured. */
final class InProcessCli {
  record Result(int exit, String out, String err) {}

  private InProcessCli() {}

  /** {@code jbuild --root ROOT ARGS}, run by picocli ({@code CommandLine.execute}). */
  static Result run(Path root, String... args) {
    List<String> full = new ArrayList<>(List.of("--root", root.toString()));
    full.addAll(List.of(args));
    return capture(Main.commandLine(), cli -> cli.execute(full.toArray(String[]::new)));
  }

  /** Runs {@code execute} on {@code cli} with its stdout and stderr writers captured. */
  static Result capture(CommandLine cli, ToIntFunction<CommandLine> execute) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = execute.applyAsInt(cli);
    return new Result(exit, out.toString(), err.toString());
  }
}
