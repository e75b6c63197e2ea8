/**
 * The build engine ({@code dev.jbuild.builder}: parse, plan, stages, steps, the image, publication)
 * and the command line ({@code dev.jbuild.cli}). The top of the graph: nothing requires it, so it
 * exports nothing; picocli reaches the commands by reflection, hence the opens.
 */
@SuppressWarnings("requires-automatic") // JGit has no module-info, only an Automatic-Module-Name
module dev.jbuild.cli {
  requires dev.jbuild.grammar;
  requires dev.jbuild.registry;
  requires dev.jbuild.runner;
  requires info.picocli;
  requires org.eclipse.jgit; // git sources, loaded only when a build names one
  requires java.net.http;
  requires java.management; // Trace: heap and GC figures
  requires jdk.net; // the daemon: SO_PEERCRED of UNIX socket clients
  requires jdk.httpserver; // Training: the AOT training run serves a registry

  opens dev.jbuild.cli to
      info.picocli;
}
