package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code STOPSIGNAL signal}: a name (SIGTERM, TERM) or a number; validated once expanded. */
public record StopsignalInstruction(SourceRange range, String text, String signal)
    implements Instruction {
  private static final Set<String> NAMES =
      Set.copyOf(
          List.of(
              "ABRT",
              "ALRM",
              "BUS",
              "CHLD",
              "CLD",
              "CONT",
              "FPE",
              "HUP",
              "ILL",
              "INT",
              "IO",
              "IOT",
              "KILL",
              "PIPE",
              "POLL",
              "PROF",
              "PWR",
              "QUIT",
              "SEGV",
              "STKFLT",
              "STOP",
              "SYS",
              "TERM",
              "TRAP",
              "TSTP",
              "TTIN",
              "TTOU",
              "URG",
              "USR1",
              "USR2",
              "VTALRM",
              "WINCH",
              "XCPU",
              "XFSZ",
              "RTMIN",
              "RTMIN+1",
              "RTMIN+2",
              "RTMIN+3",
              "RTMIN+4",
              "RTMIN+5",
              "RTMIN+6",
              "RTMIN+7",
              "RTMIN+8",
              "RTMIN+9",
              "RTMIN+10",
              "RTMIN+11",
              "RTMIN+12",
              "RTMIN+13",
              "RTMIN+14",
              "RTMIN+15",
              "RTMAX-14",
              "RTMAX-13",
              "RTMAX-12",
              "RTMAX-11",
              "RTMAX-10",
              "RTMAX-9",
              "RTMAX-8",
              "RTMAX-7",
              "RTMAX-6",
              "RTMAX-5",
              "RTMAX-4",
              "RTMAX-3",
              "RTMAX-2",
              "RTMAX-1",
              "RTMAX"));

  public StopsignalInstruction {
    if (range == null || text == null || signal == null) {
      throw new IllegalArgumentException("STOPSIGNAL fields must not be null");
    }
  }

  /** Whether Docker's signal.ParseSignal accepts {@code value}: a non-zero number or a name. */
  public static boolean isValidSignal(String value) {
    try {
      return Integer.parseInt(value) != 0;
    } catch (NumberFormatException e) {
      String upper = value.toUpperCase(Locale.ROOT);
      return NAMES.contains(upper.startsWith("SIG") ? upper.substring(3) : upper);
    }
  }

  @Override
  public Keyword keyword() {
    return Keyword.STOPSIGNAL;
  }
}
