package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.Messages;

/**
 * The {@code --chmod} of COPY and ADD: an octal mode (0 to 07777) or, as newer BuildKit accepts, a
 * symbolic mode like {@code u+x,g-w} or {@code a=rX} applied to each file's own mode.
 */
public sealed interface FileMode permits FileMode.Octal, FileMode.Symbolic {

  /** The mode a file with {@code current} mode bits gets. */
  int apply(int current, boolean directory);

  record Octal(int bits) implements FileMode {
    public Octal {
      if (bits < 0 || bits > 07777) {
        throw new IllegalArgumentException("mode out of range: " + Integer.toOctalString(bits));
      }
    }

    @Override
    public int apply(int current, boolean directory) {
      return bits;
    }
  }

  /** A chmod(1) symbolic mode: clauses {@code [ugoa]*([-+=]([rwxXst]*|[ugo]))+} joined by ','. */
  record Symbolic(String expression) implements FileMode {
    public Symbolic {
      new Symbolic0(expression).apply(0644, false); // validates
    }

    @Override
    public int apply(int current, boolean directory) {
      return new Symbolic0(expression).apply(current, directory);
    }
  }

  /**
   * Parses a --chmod value.
   *
   * @throws IllegalArgumentException with Docker's message when it is neither form
   */
  static FileMode parse(String value) {
    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      if (value.chars().allMatch(c -> c <= '7')) {
        try {
          long v = Long.parseLong(value, 8);
          if (v <= 07777) {
            return new Octal((int) v);
          }
        } catch (NumberFormatException e) {
          // falls through to the error
        }
      }
      throw new IllegalArgumentException(Messages.invalidChmod(value));
    }
    try {
      return new Symbolic(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(Messages.invalidChmod(value));
    }
  }
}

/** The symbolic mode evaluator shared by validation and application. */
final class Symbolic0 {
  private final String expr;

  Symbolic0(String expr) {
    if (expr == null || expr.isEmpty()) {
      throw new IllegalArgumentException("empty mode");
    }
    this.expr = expr;
  }

  int apply(int mode, boolean directory) {
    int m = mode & 07777;
    for (String clause : expr.split(",", -1)) {
      int i = 0;
      int who = 0;
      while (i < clause.length() && "ugoa".indexOf(clause.charAt(i)) >= 0) {
        who |=
            switch (clause.charAt(i)) {
              case 'u' -> 04700;
              case 'g' -> 02070;
              case 'o' -> 01007;
              default -> 07777;
            };
        i++;
      }
      boolean whoGiven = who != 0;
      if (!whoGiven) {
        who = 07777;
      }
      if (i >= clause.length()) {
        throw new IllegalArgumentException("missing operator in " + clause);
      }
      while (i < clause.length()) {
        char op = clause.charAt(i++);
        if (op != '+' && op != '-' && op != '=') {
          throw new IllegalArgumentException("bad operator in " + clause);
        }
        int perm = 0;
        if (i < clause.length() && "ugo".indexOf(clause.charAt(i)) >= 0) {
          int src =
              switch (clause.charAt(i)) {
                case 'u' -> (m >> 6) & 7;
                case 'g' -> (m >> 3) & 7;
                default -> m & 7;
              };
          perm = src | (src << 3) | (src << 6);
          i++;
        } else {
          while (i < clause.length() && "rwxXst".indexOf(clause.charAt(i)) >= 0) {
            perm |=
                switch (clause.charAt(i)) {
                  case 'r' -> 0444;
                  case 'w' -> 0222;
                  case 'x' -> 0111;
                  case 'X' -> (directory || (m & 0111) != 0) ? 0111 : 0;
                  case 's' -> 06000;
                  default -> 01000;
                };
            i++;
          }
        }
        int mask = who & perm;
        switch (op) {
          case '+' -> m |= mask;
          case '-' -> m &= ~mask;
          default -> {
            int clear = whoGiven ? who : 07777;
            m = (m & ~clear) | mask;
          }
        }
      }
    }
    return m;
  }
}
