package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/** The help pages the build stored (HelpPages) are what picocli prints for --help, page by page. */
class HelpPagesTest {

  @Test
  void everyStoredPageIsWhatPicocliPrints() throws IOException {
    assertTrue(HelpPages.names().size() > 10, "the root and every subcommand");
    for (String name : HelpPages.names()) {
      for (boolean ansi : new boolean[] {false, true}) {
        String stored = stored(name + (ansi ? ".ansi.txt" : ".txt"));
        assertEquals(live(name, ansi), stored, name + (ansi ? " (ANSI)" : ""));
        assertTrue(stored.startsWith("Usage: "), name);
        assertEquals(ansi, stored.contains("\u001b["), name + ": styles only in the ANSI page");
      }
    }
  }

  @Test
  void onlyAPlainHelpRequestUsesAStoredPage() {
    assertEquals("jbuild", Main.helpPageOf(new String[] {}, null));
    assertEquals("jbuild", Main.helpPageOf(new String[] {"--help"}, null));
    assertEquals("jbuild", Main.helpPageOf(new String[] {"--root", "/x", "-h"}, null));
    assertEquals("build", Main.helpPageOf(new String[] {"build", "--help"}, "build"));
    assertEquals("run", Main.helpPageOf(new String[] {"--debug", "run", "--help"}, "run"));
    assertNull(Main.helpPageOf(new String[] {"run", "-h"}, "run"), "run -h is --hostname");
    assertNull(Main.helpPageOf(new String[] {"build", "."}, "build"));
    assertNull(Main.helpPageOf(new String[] {"run", "img", "--help"}, "run"));
    assertNull(Main.helpPageOf(new String[] {"system", "info", "--help"}, "system"));
    assertNull(Main.helpPageOf(new String[] {"--help", "x"}, null));
  }

  @Test
  void stylesAsPicocliDecidesOnLinux() {
    assertTrue(HelpPages.ansi(java.util.Map.of(), true));
    assertEquals(false, HelpPages.ansi(java.util.Map.of(), false));
    assertEquals(false, HelpPages.ansi(java.util.Map.of("NO_COLOR", ""), true));
    assertEquals(
        false, HelpPages.ansi(java.util.Map.of("NO_COLOR", "1", "CLICOLOR_FORCE", "1"), true));
    assertTrue(HelpPages.ansi(java.util.Map.of("CLICOLOR_FORCE", "1"), false));
    assertEquals(false, HelpPages.ansi(java.util.Map.of("CLICOLOR_FORCE", "0"), false));
    assertEquals(false, HelpPages.ansi(java.util.Map.of("CLICOLOR", "0"), true));
    assertEquals(false, HelpPages.ansi(java.util.Map.of("ConEmuANSI", "OFF"), true));
    // picocli's own answer for this process (not a terminal under surefire) is the same
    assertEquals(
        Ansi.AUTO.enabled(),
        HelpPages.ansi(System.getenv(), HelpPages.terminal(0) && HelpPages.terminal(1)));
  }

  /** What {@code jbuild NAME --help} prints through picocli's own help handling. */
  private static String live(String name, boolean ansi) {
    CommandLine cli = Main.commandLine();
    cli.setColorScheme(CommandLine.Help.defaultColorScheme(ansi ? Ansi.ON : Ansi.OFF));
    StringWriter out = new StringWriter();
    CommandLine page = name.equals(HelpPages.ROOT) ? cli : cli.getSubcommands().get(name);
    page.setColorScheme(CommandLine.Help.defaultColorScheme(ansi ? Ansi.ON : Ansi.OFF));
    cli.setOut(new PrintWriter(out, true));
    page.setOut(new PrintWriter(out, true));
    int code = name.equals(HelpPages.ROOT) ? cli.execute("--help") : cli.execute(name, "--help");
    assertEquals(0, code, name);
    return out.toString();
  }

  private static String stored(String file) throws IOException {
    try (InputStream in = HelpPages.class.getResourceAsStream("help/" + file)) {
      assertNotNull(in, "help/" + file + " is in the build's classes (mvn process-classes)");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
