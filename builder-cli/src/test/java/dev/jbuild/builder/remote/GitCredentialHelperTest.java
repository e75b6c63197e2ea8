package dev.jbuild.builder.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** git's credential protocol as jbuild reads and writes it, with hostile helper output. */
class GitCredentialHelperTest {
  private static Optional<GitCredentialHelper.Credential> parse(String s) {
    return GitCredentialHelper.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsUsernameAndPasswordAmongOtherKeys() {
    var c =
        parse(
            "protocol=https\nhost=example.com\nusername=bob\npassword=s3cret\n"
                + "password_expiry_utc=1700000000\ncapability[]=authtype\n");
    assertEquals(new GitCredentialHelper.Credential("bob", "s3cret"), c.orElseThrow());
  }

  @Test
  void aPasswordMayHoldEqualsSignsAndTheLastOfAKeyWins() {
    var c = parse("username=first\nusername=bob\r\npassword=a=b==c=\n");
    assertEquals("bob", c.orElseThrow().username());
    assertEquals("a=b==c=", c.orElseThrow().password());
  }

  @Test
  void aMissingOrEmptyFieldIsNoCredential() {
    assertTrue(parse("username=bob\n").isEmpty());
    assertTrue(parse("password=pw\n").isEmpty());
    assertTrue(parse("username=\npassword=pw\n").isEmpty());
    assertTrue(parse("username=bob\npassword=\n").isEmpty());
    assertTrue(parse("").isEmpty());
    assertTrue(parse("garbage without equals\n=novalue\n").isEmpty());
  }

  @Test
  void hugeOrBinaryOutputIsNoCredential() {
    String huge = "username=bob\npassword=" + "x".repeat(GitCredentialHelper.MAX_OUTPUT) + "\n";
    assertTrue(parse(huge).isEmpty());
    assertTrue(parse("username=bob\npassword=p\0w\n").isEmpty());
    // just under the bound is read
    String big = "username=bob\npassword=" + "x".repeat(GitCredentialHelper.MAX_OUTPUT - 30) + "\n";
    assertTrue(parse(big).isPresent());
  }

  @Test
  void thePasswordIsNotInToString() {
    var c = new GitCredentialHelper.Credential("bob", "hunter2");
    assertFalse(c.toString().contains("hunter2"), c.toString());
  }

  @Test
  void aValueWithANewlineIsNeverSentSoNoKeyCanBeInjected() {
    assertEquals(
        Optional.of("protocol=https\nhost=127.0.0.1:8443\npath=org/repo.git\n"),
        new GitCredentialHelper.Request("https", "127.0.0.1:8443", "org/repo.git").lines());
    assertTrue(
        new GitCredentialHelper.Request("https", "evil.example\nhost=github.com", "r.git")
            .lines()
            .isEmpty());
    assertTrue(
        new GitCredentialHelper.Request("https", "h", "r.git\npassword=x").lines().isEmpty());
    assertEquals(
        Optional.of("protocol=https\nhost=h\n"),
        new GitCredentialHelper.Request("https", "h", "").lines());
  }
}
