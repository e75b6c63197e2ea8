package dev.jbuild.runner.container;

import dev.jbuild.runner.sys.SyscallException;
import dev.jbuild.runner.sys.Terminals;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A pseudo-terminal jbuild holds for a runtime process it starts in the foreground with a terminal
 * ({@code runc run} or {@code runc exec --tty} for the daemon's {@code docker run -t} and {@code
 * docker exec -t}). The runtime process gets the slave as its standard streams and controlling
 * terminal (a session of its own, {@code setsid --ctty}); with {@code process.terminal} the runtime
 * makes the container's own pty, puts this one in raw mode and copies between the two (runc's
 * foreground terminal mode, docs/terminals.md), and on SIGWINCH (which the kernel sends it when the
 * size of this pty changes) gives the container's pty this one's size. jbuild reads the master for
 * the output, writes the input to it and resizes it.
 *
 * <p>jbuild keeps its own descriptor of the slave open until {@link #slaveDone}, so the master's
 * reader sees the end (EIO) only after the process exited, never before it opened the slave.
 */
public final class Pty implements Closeable {
  private final int master;
  private final Path slave;
  private final java.util.concurrent.atomic.AtomicInteger heldSlave;
  private volatile boolean closed;

  private Pty(int master, Path slave, int heldSlave) {
    this.master = master;
    this.slave = slave;
    this.heldSlave = new java.util.concurrent.atomic.AtomicInteger(heldSlave);
  }

  /** A new pty; {@code rows}/{@code cols} its size when both are above 0. */
  public static Pty open(int rows, int cols) throws IOException {
    int m = Terminals.openMaster();
    try {
      Path s = Path.of("/dev/pts", Integer.toString(Terminals.slaveNumber(m)));
      int held = Terminals.openReadWrite(s);
      Pty p = new Pty(m, s, held);
      if (rows > 0 && cols > 0) {
        p.resize(rows, cols);
      }
      return p;
    } catch (IOException | RuntimeException e) {
      dev.jbuild.runner.sys.Syscalls.closeQuietly(m);
      throw e;
    }
  }

  /** The slave's path ({@code /dev/pts/N}). */
  public Path slave() {
    return slave;
  }

  /**
   * Starts {@code cmd} with the slave as its stdin, stdout, stderr and controlling terminal (a
   * shell opens the slave, so this process never does without O_NOCTTY).
   */
  public Process start(List<String> cmd) throws IOException {
    List<String> full = new ArrayList<>();
    full.add("/bin/sh");
    full.add("-c");
    full.add("exec 0<>\"$1\" 1>&0 2>&0; shift; exec /usr/bin/setsid --ctty --wait \"$@\"");
    full.add("sh");
    full.add(slave.toString());
    full.addAll(cmd);
    return new ProcessBuilder(full)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** Sets the window size (TIOCSWINSZ on the master); rows or columns of 0 are ignored. */
  public synchronized void resize(int rows, int cols) throws IOException {
    if (rows <= 0 || cols <= 0 || rows > 0xffff || cols > 0xffff || closed) {
      return;
    }
    Terminals.setSize(master, rows, cols);
  }

  /** Reads output; -1 once the slave side is closed (EIO) or this pty is closed. */
  public int read(byte[] buf) throws IOException {
    if (closed) {
      return -1;
    }
    try {
      int n = Terminals.read(master, buf);
      return n == 0 ? -1 : n;
    } catch (SyscallException e) {
      if (e.errno() == Terminals.EIO || closed) {
        return -1;
      }
      throw e;
    }
  }

  /** Writes input to the terminal. */
  public synchronized void write(byte[] buf, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("the terminal is closed");
    }
    Terminals.write(master, buf, off, len);
  }

  /** The process exited: the reader gets what is left, then the end. */
  public void slaveDone() {
    // not under the lock: a write blocked on a full input queue ends (EIO) once no slave is open
    dev.jbuild.runner.sys.Syscalls.closeQuietly(heldSlave.getAndSet(-1));
  }

  /**
   * Closes the master once its reader ended; writes and resizes hold this object's lock, so none
   * reaches a descriptor number the process reused.
   */
  @Override
  public synchronized void close() {
    slaveDone();
    if (!closed) {
      closed = true;
      dev.jbuild.runner.sys.Syscalls.closeQuietly(master);
    }
  }
}
