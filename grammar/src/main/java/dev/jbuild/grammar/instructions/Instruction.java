package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;

/**
 * One Dockerfile instruction. Every record carries its {@link SourceRange} and its original text as
 * written (continuation lines joined without the escape character and newline, as BuildKit keeps
 * it; heredoc bodies are not part of it). Records are immutable: expansion returns new records.
 */
public sealed interface Instruction
    permits ArgInstruction,
        CmdInstruction,
        EntrypointInstruction,
        EnvInstruction,
        ExposeInstruction,
        FileInstruction,
        FromInstruction,
        HealthcheckInstruction,
        LabelInstruction,
        MaintainerInstruction,
        OnbuildInstruction,
        RunInstruction,
        ShellInstruction,
        StopsignalInstruction,
        UserInstruction,
        VolumeInstruction,
        WorkdirInstruction {

  SourceRange range();

  /** The instruction as written (logical line, continuations joined). */
  String text();

  Keyword keyword();
}
