package dev.jbuild.grammar;

import dev.jbuild.grammar.instructions.FromInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.MaintainerInstruction;
import dev.jbuild.grammar.instructions.OnbuildInstruction;
import dev.jbuild.grammar.parse.DockerfileReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Entry points of the grammar module. */
public final class Dockerfiles {
  private Dockerfiles() {}

  /**
   * Loads and initialises the parser (ANTLR runtime, ATN deserialisation, the lexer's first DFA
   * states) on a background daemon thread, so that a CLI can overlap that cold-start cost with its
   * own start-up work; a later {@link #parse} waits for whatever is still initialising. Optional.
   */
  public static void preload() {
    Thread t = new Thread(new Preload(), "jbuild-parser-preload");
    t.setDaemon(true);
    t.start();
  }

  private static final class Preload implements Runnable {
    @Override
    public void run() {
      DockerfileReader.read(
          "preload", "FROM scratch\nARG A=1\nENV B=2\nRUN --mount=type=cache,target=/c true\n");
    }
  }

  /**
   * Parses a Dockerfile.
   *
   * @param fileName the name diagnostics use (e.g. "Dockerfile" or the path the user gave)
   * @throws DockerfileException for an invalid Dockerfile
   */
  public static Dockerfile parse(String fileName, String text) {
    return DockerfileReader.read(fileName, text);
  }

  /** Reads (UTF-8) and parses a Dockerfile; diagnostics name it as {@code path} is written. */
  public static Dockerfile parse(Path path) throws IOException {
    return parse(path.toString(), text(Files.readAllBytes(path)));
  }

  /**
   * A Dockerfile's text from its bytes, the one decoding every command uses: UTF-8, each malformed
   * sequence replaced by U+FFFD. Docker accepts any bytes too (BuildKit reads them as Go strings
   * and passes invalid bytes through to RUN unchanged, where jbuild passes U+FFFD); a Dockerfile is
   * never refused for its encoding.
   */
  public static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * Parses one instruction (continuation lines and heredoc bodies allowed), escape character {@code
   * \}.
   *
   * @param origin what diagnostics name as the file (e.g. "ONBUILD trigger of alpine:3")
   */
  public static Instruction parseInstruction(String text, String origin) {
    return DockerfileReader.readOne(origin, text, '\\');
  }

  /**
   * Parses an ONBUILD trigger as stored in a base image's config ({@code "RUN make"}); rejects what
   * Docker rejects as a trigger (ONBUILD, FROM, MAINTAINER).
   */
  public static Instruction parseTrigger(String text, String origin) {
    Instruction i = parseInstruction(text, origin);
    if (i instanceof OnbuildInstruction) {
      throw DockerfileException.at(
          i.range(), Messages.onbuildChain(), text.lines().findFirst().orElse(""));
    }
    if (i instanceof FromInstruction || i instanceof MaintainerInstruction) {
      throw DockerfileException.at(
          i.range(),
          Messages.onbuildForbidden(i.keyword().name()),
          text.lines().findFirst().orElse(""));
    }
    return i;
  }
}
