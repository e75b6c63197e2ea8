package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's side of client mode with hostile requests (no client: the request as a hostile
 * client could send it): every path the arguments name is the call's own or refused, never one of
 * the daemon's machine.
 */
class ClientCallsTest {
  @TempDir Path tmp;

  record Outcome(int exit, String out, String err, List<Path> downloads) {}

  Outcome call(List<String> argv, List<String> items, byte[] uploads) throws IOException {
    Path work = Files.createDirectories(tmp.resolve("work"));
    dev.jbuild.layercache.store.Store.open(tmp.resolve("store")).close();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ClientCalls.Result r =
        ClientCalls.run(
            new ClientCalls.Request(argv, Map.of(), Map.of(), false, items, "uid=0", "/", false),
            tmp.resolve("store"),
            Map.of(),
            work,
            new ByteArrayInputStream(uploads),
            InputStream.nullInputStream(),
            out,
            err);
    return new Outcome(
        r.exitCode(),
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8),
        r.downloads());
  }

  /** A client's upload of one context directory as item 0 (a Dockerfile in it). */
  static byte[] context(String dockerfile) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    ClientTar t = new ClientTar(b);
    t.header("0", ClientTar.DIR, 0755, 0, 0, 0, 1, "");
    byte[] df = dockerfile.getBytes(StandardCharsets.UTF_8);
    t.header("0/Dockerfile", ClientTar.FILE, 0644, 0, 0, df.length, 1, "");
    t.content(new ByteArrayInputStream(df), df.length);
    t.header("0/escape", ClientTar.SYMLINK, 0777, 0, 0, 0, 1, "/etc");
    t.finish();
    return b.toByteArray();
  }

  @Test
  void aContextTheClientDidNotSendIsNeverTheDaemons() throws Exception {
    Outcome o = call(List.of("build", "/etc"), List.of("CONTEXT /etc"), new byte[1024]);
    assertEquals(4, o.exit());
    assertEquals("jbuild: context directory not found: /etc\n", o.err());
  }

  @Test
  void aDockerfileOnTheDaemonsMachineIsRefused() throws Exception {
    Outcome o =
        call(
            List.of("build", "-f", "/etc/passwd", "ctx"),
            List.of("CONTEXT ctx", "DOCKERFILE /etc/passwd"),
            context("FROM scratch\n"));
    assertEquals(4, o.exit());
    assertEquals("jbuild: no such file or directory: /etc/passwd\n", o.err());
    assertFalse(o.err().contains("root:"));
  }

  @Test
  void outputsLandInTheCallsDirectory() throws Exception {
    Path victim = tmp.resolve("victim.txt");
    Outcome o =
        call(
            List.of("build", "--call", "outline", "--iidfile", victim.toString(), "ctx"),
            List.of("CONTEXT ctx", "OUT_FILE " + victim),
            context("FROM scratch\nCOPY escape/passwd /\n"));
    assertEquals(0, o.exit(), o.err());
    assertEquals(1, o.downloads().size());
    assertTrue(o.downloads().get(0).startsWith(tmp.resolve("work")));
    assertFalse(Files.exists(victim));
  }

  @Test
  void theStoreAndIsolationAreTheDaemons() throws Exception {
    for (String opt : List.of("--root", "--isolation")) {
      Outcome o = call(List.of(opt, "/x", "images"), List.of(), new byte[0]);
      assertEquals(2, o.exit());
      assertTrue(o.err().startsWith("jbuild: " + opt + " cannot be used with --host"), o.err());
    }
  }

  @Test
  void whatNamesTheDaemonsMachineIsRefused() throws Exception {
    for (List<String> argv :
        List.of(
            List.of("build", "--runtime", "/bin/sh", "ctx"),
            List.of("build", "--ssh", "default=/run/agent", "ctx"),
            List.of("build", "--cache-to", "type = local,dest=/etc", "ctx"),
            List.of("build", "--build-context", "x=oci-layout:///var/lib", "ctx"),
            List.of("run", "-v", "/etc:/etc", "busybox"),
            List.of("run", "--mount", "type=bind,src=/,dst=/h", "busybox"),
            List.of("run", "--env-file", "/etc/shadow", "busybox"),
            List.of("parse", "-f", "/etc/passwd"),
            List.of("login", "-u", "x", "--password-stdin", "r"),
            List.of("system", "reset"))) {
      Outcome o = call(argv, List.of(), new byte[0]);
      assertEquals(2, o.exit(), argv + ": " + o.err());
      assertTrue(o.err().startsWith("jbuild: not available with --host: "), argv + ": " + o.err());
    }
  }

  @Test
  void itemsTheClientDescribesOtherwiseAreRefused() throws Exception {
    Outcome o =
        call(
            List.of("build", "--iidfile", "/tmp/x", "ctx"),
            List.of("CONTEXT ctx"),
            context("FROM scratch\n"));
    assertEquals(2, o.exit());
    assertTrue(o.err().contains("read this command line differently"), o.err());
  }

  @Test
  void aBareNameReadsTheClientsVariablesOnly() throws Exception {
    BuildCommand b = new BuildCommand();
    b.buildArgs.addAll(List.of("HOME", "FROM_CLIENT", "SET=1"));
    ClientArgs.resolveNames(b, Map.of("FROM_CLIENT", "c"), tmp);
    assertEquals(List.of("FROM_CLIENT=c", "SET=1"), b.buildArgs);
  }
}
