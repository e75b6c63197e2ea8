package dev.jbuild.runner.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Signal names and numbers as docker's --stop-signal and kill -s take them. */
class SignalsTest {
  @Test
  void namesWithOrWithoutSigInAnyCaseAndNumbers() {
    for (String s : List.of("SIGUSR1", "USR1", "usr1", "SigUsr1", "10")) {
      assertEquals(10, Signals.number(s), s);
    }
    assertEquals(15, Signals.number("TERM"));
    assertEquals(9, Signals.number("SIGKILL"));
    assertEquals(1, Signals.number("HUP"));
    assertEquals(31, Signals.number("SYS"));
    assertEquals(17, Signals.number("CLD"));
    assertEquals(34, Signals.number("RTMIN"));
    assertEquals(35, Signals.number("SIGRTMIN+1"));
    assertEquals(63, Signals.number("RTMAX-1"));
    assertEquals(64, Signals.number("64"));
  }

  @Test
  void anythingElseIsAnInvalidSignal() {
    for (String s : List.of("", "0", "65", "SIGFOO", "USR3", "RTMIN+16", "-9", "SIG")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Signals.number(s), s);
      assertEquals("invalid signal: " + s, e.getMessage());
    }
  }
}
