package dev.jbuild.grammar.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The state-set matcher against the regular expressions it replaced (a prefix or suffix loop of
 * full matches, Java's find for replacement), on random patterns and values (fixed seed), and on
 * inputs that made the regular expressions take hours.
 */
class ShellPatternTest {
  private static final String ALPHABET = "ab \n]*";

  /** Pattern tokens: the shell form, and the regular expression it used to compile to. */
  private static final String[][] TOKENS = {
    {"a", "a"},
    {"b", "b"},
    {"*", ".*"},
    {"?", "."},
    {"[ab]", "[ab]"},
    {"[!a]", "[^a]"},
    {"[^b]", "[^b]"},
    {"[a-b]", "[a-b]"},
    {"[[:alpha:]]", "[\\p{Alpha}]"},
    {"[[:space:]]", "[\\s]"},
    {"\\*", "\\*"},
    {"[]a]", "[\\]a]"}
  };

  private static String oraclePrefix(Pattern re, String v, boolean longest) {
    for (int j = longest ? v.length() : 0;
        longest ? j >= 0 : j <= v.length();
        j += longest ? -1 : 1) {
      if (re.matcher(v.substring(0, j)).matches()) {
        return v.substring(j);
      }
    }
    return v;
  }

  private static String oracleSuffix(Pattern re, String v, boolean longest) {
    for (int j = longest ? 0 : v.length();
        longest ? j <= v.length() : j >= 0;
        j += longest ? 1 : -1) {
      if (re.matcher(v.substring(j)).matches()) {
        return v.substring(0, j);
      }
    }
    return v;
  }

  private static String random(Random r, String chars, int max) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(max + 1);
    for (int i = 0; i < n; i++) {
      b.append(chars.charAt(r.nextInt(chars.length())));
    }
    return b.toString();
  }

  @Test
  void agreesWithTheRegularExpressionsItReplaced() {
    Random r = new Random(20261204);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder shell = new StringBuilder();
      StringBuilder java = new StringBuilder();
      for (int t = r.nextInt(6); t > 0; t--) {
        String[] token = TOKENS[r.nextInt(TOKENS.length)];
        shell.append(token[0]);
        java.append(token[1]);
      }
      String p = shell.toString();
      String v = random(r, ALPHABET, 8);
      Pattern re = Pattern.compile(java.toString());
      ShellPattern sp = ShellPattern.compile(p);
      String where = "pattern " + p + " value " + v.replace("\n", "\\n");
      for (boolean longest : new boolean[] {false, true}) {
        assertEquals(oraclePrefix(re, v, longest), sp.trimPrefix(v, longest), where);
        assertEquals(oracleSuffix(re, v, longest), sp.trimSuffix(v, longest), where);
      }
      Matcher m = re.matcher(v);
      assertEquals(m.replaceFirst("X"), sp.replace(v, "X", false, 1 << 20), where);
      assertEquals(re.matcher(v).replaceAll("X"), sp.replace(v, "X", true, 1 << 20), where);
    }
  }

  @Test
  void hostilePatternsOnAMebibyteAreLinear() {
    String v = "a".repeat(1 << 20);
    ShellPattern p = ShellPattern.compile("*a*a*a*a*b");
    assertEquals(v, p.trimPrefix(v, true));
    assertEquals(v, p.trimPrefix(v, false));
    assertEquals(v, ShellPattern.compile("b*a*a*a*").trimSuffix(v, true));
    assertEquals(v, ShellPattern.compile("?*x").replace(v, "y", true, 1 << 21));
    assertEquals("", ShellPattern.compile("*a").trimPrefix(v, true));
  }

  @Test
  void aReversedRangeIsAnInvalidPattern() {
    ExpansionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExpansionException.class, () -> ShellPattern.compile("[z-a]"));
    assertEquals(
        "invalid pattern ([z-a]) in substitution: Illegal character range", e.getMessage());
  }
}
