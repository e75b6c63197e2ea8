package dev.jbuild.grammar.instructions;

import java.util.List;
import java.util.Optional;

/**
 * What COPY and ADD share: sources (context paths, wildcards kept as patterns for the builder; URLs
 * and git references for ADD), heredoc files, the destination and the common flags.
 */
public sealed interface FileInstruction extends Instruction
    permits AddInstruction, CopyInstruction {

  /** Source paths or URLs as written (or expanded); never the heredoc sources. */
  List<String> sources();

  /**
   * Files given inline ({@code COPY <<EOF /dst}): {@link Heredoc#name()} is the file name, {@link
   * Heredoc#body()} the content (expanded by the stage scope when {@link Heredoc#expand()}).
   */
  List<Heredoc> heredocs();

  String destination();

  /** {@code --chown=user[:group]} as written or expanded. */
  Optional<String> chown();

  /** {@code --chmod}: as written or expanded; see {@link #mode()}. */
  Optional<String> chmod();

  /** The parsed {@code --chmod}. */
  default Optional<FileMode> mode() {
    return chmod().map(FileMode::parse);
  }

  /** {@code --link}: the layer is built independently of the layers below. */
  boolean link();

  /** {@code --exclude=pattern}, repeatable. */
  List<String> excludes();
}
