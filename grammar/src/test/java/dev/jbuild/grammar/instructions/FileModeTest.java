package dev.jbuild.grammar.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FileModeTest {
  @Test
  void octal() {
    assertEquals(new FileMode.Octal(0755), FileMode.parse("755"));
    assertEquals(new FileMode.Octal(04755), FileMode.parse("04755"));
    assertEquals(0640, FileMode.parse("0640").apply(0777, false));
  }

  @Test
  void octalOutOfRangeOrNotOctal() {
    assertThrows(IllegalArgumentException.class, () -> FileMode.parse("17777"));
    assertThrows(IllegalArgumentException.class, () -> FileMode.parse("0999"));
    assertThrows(IllegalArgumentException.class, () -> FileMode.parse(""));
    assertThrows(IllegalArgumentException.class, () -> FileMode.parse("u+q"));
    assertThrows(IllegalArgumentException.class, () -> FileMode.parse("u"));
  }

  @Test
  void symbolic() {
    assertEquals(0755, FileMode.parse("u+x,go+rx").apply(0644, false));
    assertEquals(0640, FileMode.parse("o=").apply(0644, false));
    assertEquals(0444, FileMode.parse("a-w").apply(0666, false));
    assertEquals(0600, FileMode.parse("u=rw,go=").apply(0777, false));
    assertEquals(0755, FileMode.parse("a+X").apply(0644, true));
    assertEquals(0644, FileMode.parse("a+X").apply(0644, false));
    assertEquals(0755, FileMode.parse("a+X").apply(0744, false));
    assertEquals(04755, FileMode.parse("u+s").apply(0755, false));
    assertEquals(0775, FileMode.parse("g=u").apply(0745, false));
  }
}
