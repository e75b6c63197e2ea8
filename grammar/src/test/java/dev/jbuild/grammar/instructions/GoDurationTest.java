package dev.jbuild.grammar.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
  @Test
  void parsesGoSyntax() {
    assertEquals(Duration.ofSeconds(30), GoDuration.parse("30s"));
    assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
    assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
    assertEquals(Duration.ofHours(2).plusMinutes(45), GoDuration.parse("2h45m"));
    assertEquals(Duration.ofNanos(-2000), GoDuration.parse("-2us"));
    assertEquals(Duration.ofNanos(300), GoDuration.parse("300ns"));
    assertEquals(Duration.ofMillis(500), GoDuration.parse(".5s"));
    assertEquals(Duration.ZERO, GoDuration.parse("0"));
  }

  @Test
  void rejectsWhatGoRejects() {
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(""));
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("10"));
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("1d"));
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("s"));
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("1.s.2"));
  }

  @Test
  void formatsLikeGo() {
    assertEquals("30s", GoDuration.format(Duration.ofSeconds(30)));
    assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
    assertEquals("1h0m0s", GoDuration.format(Duration.ofHours(1)));
    assertEquals("500ms", GoDuration.format(Duration.ofMillis(500)));
    assertEquals("1.5s", GoDuration.format(Duration.ofMillis(1500)));
    assertEquals("0s", GoDuration.format(Duration.ZERO));
  }
}
