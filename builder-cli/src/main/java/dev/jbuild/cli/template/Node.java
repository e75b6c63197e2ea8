package dev.jbuild.cli.template;

import java.util.List;

/** A parsed template: text and actions, and the blocks if, range and with. */
sealed interface Node {
  record Text(String text) implements Node {}

  record Action(Pipeline pipe) implements Node {}

  record If(Pipeline cond, List<Node> then, List<Node> otherwise) implements Node {}

  record Range(List<String> vars, Pipeline over, List<Node> body, List<Node> otherwise)
      implements Node {}

  record With(Pipeline value, List<Node> body, List<Node> otherwise) implements Node {}

  /** Commands separated by {@code |}, each a list of words (quoted strings start with '"'). */
  record Pipeline(List<List<String>> commands) {}
}
