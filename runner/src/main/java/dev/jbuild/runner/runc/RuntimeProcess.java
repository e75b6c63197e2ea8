package dev.jbuild.runner.runc;

import dev.jbuild.runner.sys.SyscallException;
import dev.jbuild.runner.sys.Syscalls;
import java.util.List;

/** A running {@code runtime run} process and the threads that drain its output. */
public final class RuntimeProcess {
  private final Process process;
  private final List<Thread> drains;

  RuntimeProcess(Process process, List<Thread> drains) {
    this.process = process;
    this.drains = List.copyOf(drains);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends a signal to the runtime process, which forwards it to the container. */
  public void signal(int signal) throws SyscallException {
    if (process.isAlive()) {
      Syscalls.kill(process.pid(), signal);
    }
  }

  /** Waits for the runtime to exit and for all output to be delivered; its exit status. */
  public int waitFor() throws InterruptedException {
    int rc = process.waitFor();
    for (Thread t : drains) {
      t.join();
    }
    return rc;
  }
}
