package dev.jbuild.cli;

import dev.jbuild.builder.BuildFailure;
import java.util.List;

/**
 * How a failed step is shown: one summary line (step, Dockerfile line, reason), the step's last
 * output lines, and the Dockerfile lines around it with the step marked, as BuildKit shows them.
 */
final class Failures {
  private static final int CONTEXT = 2;

  private Failures() {}

  static String render(BuildFailure f, String dockerfileName, String dockerfileText) {
    StringBuilder b = new StringBuilder("jbuild: ");
    b.append(f.step());
    if (f.line() > 0) {
      b.append(" (").append(dockerfileName).append(':').append(f.line()).append(')');
    }
    b.append(": ").append(f.getMessage());
    if (!f.lastLines().isEmpty()) {
      b.append("\n------\n");
      for (String l : f.lastLines()) {
        b.append(" > ").append(l).append('\n');
      }
      b.append("------");
    }
    if (f.line() > 0) {
      List<String> lines = dockerfileText.lines().toList();
      int from = Math.max(1, f.line() - CONTEXT);
      int to = Math.min(lines.size(), Math.max(f.line(), f.endLine()) + CONTEXT);
      b.append('\n').append(dockerfileName).append(':').append(f.line()).append('\n');
      b.append("--------------------\n");
      for (int i = from; i <= to; i++) {
        boolean mark = i >= f.line() && i <= Math.max(f.line(), f.endLine());
        b.append(String.format("%4d | %s%s%n", i, mark ? ">>> " : "    ", lines.get(i - 1)));
      }
      b.append("--------------------");
    }
    return b.toString();
  }
}
