package dev.jbuild.cli;

/** {@link Main#main} as the launcher runs it, with attached containers on the process's stdio. */
public final class ProcessMain {
  private ProcessMain() {}

  public static void main(String[] args) {
    Main.useProcessStdio();
    Main.main(args);
  }
}
