package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** {@code jbuild cp}'s arguments: which name a container path (docker's splitCpArg). */
class CpCommandTest {
  @Test
  void aContainerPathHasAColonBeforeAnySlash() {
    assertEquals(new CpCommand.Ref("web", "/etc/hosts"), CpCommand.Ref.parse("web:/etc/hosts"));
    assertEquals(new CpCommand.Ref("web", "rel/x"), CpCommand.Ref.parse("web:rel/x"));
    assertEquals(new CpCommand.Ref("web", "/"), CpCommand.Ref.parse("web:"));
  }

  @Test
  void localPathsMayHoldColonsWhenExplicit() {
    assertNull(CpCommand.Ref.parse("/tmp/a:b"));
    assertNull(CpCommand.Ref.parse("./a:b"));
    assertNull(CpCommand.Ref.parse("file.txt"));
    assertNull(CpCommand.Ref.parse("-"));
    assertNull(CpCommand.Ref.parse(":x"));
  }

  @Test
  void copyingNeedsExactlyOneContainerSide() {
    Main.commandLine(); // loads picocli's model
    var root = java.nio.file.Path.of("/nonexistent-jbuild-store");
    InProcessCli.Result r = InProcessCli.run(root, "cp", "a:/x", "b:/y");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertEquals(true, r.err().contains("copying between containers is not supported"), r.err());
    r = InProcessCli.run(root, "cp", "/tmp/a", "/tmp/b");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertEquals(true, r.err().contains("must specify at least one container source"), r.err());
  }
}
