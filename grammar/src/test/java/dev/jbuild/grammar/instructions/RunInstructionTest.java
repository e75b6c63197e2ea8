package dev.jbuild.grammar.instructions;

import static dev.jbuild.grammar.Parsing.instruction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunInstructionTest {
  private static final List<String> SH = Command.DEFAULT_SHELL;

  @Test
  void shellFormRunsThroughTheShell() {
    RunInstruction r = instruction("RUN echo $HOME && ls\n");
    assertEquals(List.of("/bin/sh", "-c", "echo $HOME && ls"), r.argv(SH));
    assertEquals(
        List.of("/bin/bash", "-eo", "pipefail", "-c", "echo $HOME && ls"),
        r.argv(List.of("/bin/bash", "-eo", "pipefail", "-c")));
  }

  @Test
  void execFormIgnoresTheShell() {
    RunInstruction r = instruction("RUN [\"echo\", \"$HOME\"]\n");
    assertEquals(List.of("echo", "$HOME"), r.argv(SH));
  }

  @Test
  void heredocOnlyRunsTheBodyAsScript() {
    RunInstruction r = instruction("RUN <<EOF\necho a\necho b\nEOF\n");
    RunInvocation inv = r.invocation(SH);
    assertEquals(List.of("/bin/sh", "-c", "echo a\necho b\n"), inv.argv());
    assertTrue(inv.files().isEmpty());
  }

  @Test
  void heredocWithShebangBecomesAnExecutableFile() {
    RunInstruction r = instruction("RUN <<py\n#!/usr/bin/env python3\nprint(1)\npy\n");
    RunInvocation inv = r.invocation(SH);
    assertEquals(List.of("/bin/sh", "-c", "/dev/pipes/py"), inv.argv());
    assertEquals(
        List.of(
            new RunInvocation.InlineFile(
                "/dev/pipes/py", "#!/usr/bin/env python3\nprint(1)\n", 0755)),
        inv.files());
  }

  @Test
  void chompedHeredocLosesLeadingTabs() {
    RunInstruction r = instruction("RUN <<-EOF\n\techo a\n\t\techo b\n\tEOF\n");
    assertEquals(List.of("/bin/sh", "-c", "echo a\necho b\n"), r.argv(SH));
  }

  @Test
  void heredocInsideACommandGoesToTheShell() {
    RunInstruction r = instruction("RUN cat <<A >/a && cat <<'B' >/b\n1\nA\n$2\nB\n");
    assertEquals(List.of("/bin/sh", "-c", "cat <<A >/a && cat <<'B' >/b\n1\nA\n$2\nB"), r.argv(SH));
    assertEquals(2, r.heredocs().size());
    assertTrue(r.heredocs().get(0).expand());
    assertTrue(!r.heredocs().get(1).expand());
  }

  @Test
  void mountsAreTyped() {
    RunInstruction r =
        instruction(
            "RUN --mount=type=cache,target=/c --mount=type=secret,id=tok --mount=type=ssh true\n");
    assertEquals(RunMount.Type.CACHE, r.mounts().get(0).type());
    assertTrue(!r.mounts().get(0).readOnly());
    assertEquals("/c", r.mounts().get(0).effectiveId());
    assertEquals("/run/secrets/tok", r.mounts().get(1).effectiveTarget().orElseThrow());
    assertEquals("default", r.mounts().get(2).effectiveId());
  }

  @Test
  void flagValuesMayBeQuoted() {
    RunInstruction r =
        instruction("RUN --mount=\"type=bind,source=a b,target=/x\" --network='none' ls\n");
    assertEquals("a b", r.mounts().get(0).source().orElseThrow());
    assertEquals("none", r.network().orElseThrow());
    assertEquals(new Command.ShellForm("ls"), r.command());
  }

  @Test
  void doubleDashEndsTheFlags() {
    RunInstruction r = instruction("RUN --network=none -- --not-a-flag\n");
    assertEquals(new Command.ShellForm("--not-a-flag"), r.command());
  }
}
