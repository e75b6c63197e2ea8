package dev.jbuild.runner.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.runner.runc.RuntimeIo;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class AttachTest {
  @Test
  void processStdioHandsJbuildsOwnStreamsToTheRuntime() {
    RuntimeIo io = Attach.processStdio(true).runtimeIo(false);
    assertEquals(RuntimeIo.Stdin.INHERIT, io.stdin());
    assertTrue(io.output() instanceof RuntimeIo.Output.Inherit, io.output().toString());
    assertEquals(false, io.newSession());
  }

  @Test
  void streamsAreCopiedToTheGivenOnesAndStdinIsDevNullWithoutInteractive() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    RuntimeIo io = Attach.streams(false, out, err).runtimeIo(true);
    assertEquals(RuntimeIo.Stdin.NULL, io.stdin());
    RuntimeIo.Output.Streams s = (RuntimeIo.Output.Streams) io.output();
    assertSame(out, s.out());
    assertSame(err, s.err());
    assertEquals(true, io.newSession());
  }

  @Test
  void missingStreamsAreRefused() {
    assertThrows(NullPointerException.class, () -> Attach.streams(false, null, System.err));
    assertThrows(NullPointerException.class, () -> new Attach(true, null));
  }
}
