package dev.jbuild.grammar.instructions;

import java.util.ArrayList;
import java.util.List;

/**
 * The command of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD: shell form (a string the shell runs) or
 * exec form (a JSON array of strings). Docker decides exec form only for a valid JSON array of
 * strings; anything else is shell form.
 */
public sealed interface Command permits Command.ShellForm, Command.ExecForm {

  /** The argv Docker runs: exec form as written; shell form = {@code shell} + [text]. */
  List<String> argv(List<String> shell);

  /** Shell form: the text after the instruction's flags, trimmed. */
  record ShellForm(String text) implements Command {
    public ShellForm {
      if (text == null) {
        throw new IllegalArgumentException("text must not be null");
      }
    }

    @Override
    public List<String> argv(List<String> shell) {
      List<String> out = new ArrayList<>(shell.size() + 1);
      out.addAll(shell);
      out.add(text);
      return List.copyOf(out);
    }
  }

  /** Exec form: the strings of the JSON array. */
  record ExecForm(List<String> args) implements Command {
    public ExecForm {
      args = List.copyOf(args);
    }

    @Override
    public List<String> argv(List<String> shell) {
      return args;
    }
  }

  /** Docker's default shell on Linux. */
  List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
}
