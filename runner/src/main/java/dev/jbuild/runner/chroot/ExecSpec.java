package dev.jbuild.runner.chroot;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link ChrootExec} does, handed over in a file of the run directory (outside the root): the
 * root, the working directory, the ids, the environment and the argv.
 */
record ExecSpec(
    String rootfs,
    String workdir,
    long uid,
    long gid,
    List<Long> groups,
    List<String> env,
    List<String> argv) {
  private static final int MAX_STRINGS = 1 << 16;
  private static final int MAX_STRING = 1 << 24;

  ExecSpec {
    groups = List.copyOf(groups);
    env = List.copyOf(env);
    argv = List.copyOf(argv);
  }

  void write(OutputStream out) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    string(d, rootfs);
    string(d, workdir);
    d.writeLong(uid);
    d.writeLong(gid);
    d.writeInt(groups.size());
    for (long g : groups) {
      d.writeLong(g);
    }
    strings(d, env);
    strings(d, argv);
    d.flush();
  }

  static ExecSpec read(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    String rootfs = string(d);
    String workdir = string(d);
    long uid = d.readLong();
    long gid = d.readLong();
    int n = count(d);
    List<Long> groups = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      groups.add(d.readLong());
    }
    return new ExecSpec(rootfs, workdir, uid, gid, groups, strings(d), strings(d));
  }

  private static void string(DataOutputStream d, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    d.writeInt(b.length);
    d.write(b);
  }

  private static void strings(DataOutputStream d, List<String> l) throws IOException {
    d.writeInt(l.size());
    for (String s : l) {
      string(d, s);
    }
  }

  private static int count(DataInputStream d) throws IOException {
    int n = d.readInt();
    if (n < 0 || n > MAX_STRINGS) {
      throw new IOException("bad exec spec");
    }
    return n;
  }

  private static String string(DataInputStream d) throws IOException {
    int n = d.readInt();
    if (n < 0 || n > MAX_STRING) {
      throw new IOException("bad exec spec");
    }
    return new String(d.readNBytes(n), StandardCharsets.UTF_8);
  }

  private static List<String> strings(DataInputStream d) throws IOException {
    int n = count(d);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(string(d));
    }
    return out;
  }
}
