package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code RUN [--mount=...]... [--network=default|none|host] [--security=sandbox|insecure] command},
 * with the heredocs the line starts. The command and heredoc bodies are never expanded by jbuild:
 * the shell does it.
 */
public record RunInstruction(
    SourceRange range,
    String text,
    Command command,
    List<Heredoc> heredocs,
    List<RunMount> mounts,
    Optional<String> network,
    Optional<String> security)
    implements Instruction {

  /** Where BuildKit mounts the file of a heredoc script that starts with {@code #!}. */
  public static final String PIPES_DIR = "/dev/pipes";

  public RunInstruction {
    if (range == null
        || text == null
        || command == null
        || heredocs == null
        || mounts == null
        || network == null
        || security == null) {
      throw new IllegalArgumentException("RUN fields must not be null");
    }
    heredocs = List.copyOf(heredocs);
    mounts = List.copyOf(mounts);
    if (!heredocs.isEmpty() && !(command instanceof Command.ShellForm)) {
      throw new IllegalArgumentException("heredocs need a shell-form RUN");
    }
  }

  /** The argv of {@link #invocation(List)}. */
  public List<String> argv(List<String> shell) {
    return invocation(shell).argv();
  }

  /**
   * What the RUN executes with {@code shell} (the image's SHELL, default {@code /bin/sh -c}), as
   * BuildKit's dispatchRun builds it:
   *
   * <ul>
   *   <li>exec form: the array as written; shell form without heredocs: shell + [command];
   *   <li>a command that is only one heredoc ({@code RUN <<EOF}): when the body starts with {@code
   *       #!}, the body (tabs chomped for {@code <<-}) becomes the file /dev/pipes/NAME (mode 0755)
   *       and the argv is shell + ["/dev/pipes/NAME"], so the kernel runs the interpreter of the #!
   *       line; otherwise shell + [body], the body run as a script;
   *   <li>any other command with heredocs: shell + [command + for each heredoc "\n" + content +
   *       NAME], so the shell itself reads the here-documents.
   * </ul>
   */
  public RunInvocation invocation(List<String> shell) {
    if (heredocs.isEmpty()) {
      return new RunInvocation(command.argv(shell), List.of());
    }
    String cmd = ((Command.ShellForm) command).text();
    if (Heredoc.parseWord(cmd).isPresent()) {
      Heredoc first = heredocs.get(0);
      String body = first.body();
      if (first.content().startsWith("#!")) {
        String path = PIPES_DIR + "/" + first.name();
        return new RunInvocation(
            withShell(shell, path), List.of(new RunInvocation.InlineFile(path, body, 0755)));
      }
      return new RunInvocation(withShell(shell, body), List.of());
    }
    StringBuilder full = new StringBuilder(cmd);
    for (Heredoc h : heredocs) {
      full.append('\n').append(h.content()).append(h.name());
    }
    return new RunInvocation(withShell(shell, full.toString()), List.of());
  }

  private static List<String> withShell(List<String> shell, String script) {
    List<String> out = new ArrayList<>(shell);
    out.add(script);
    return out;
  }

  @Override
  public Keyword keyword() {
    return Keyword.RUN;
  }
}
