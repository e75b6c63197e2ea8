/**
 * The runner: RUN steps in isolation (root, rootless, chroot) turned into layers, and images
 * started as containers. API: {@code dev.jbuild.runner} (Runner, requests, results, snapshots,
 * isolation, seccomp, capabilities, trees), {@code .user} (USER resolution) and {@code .container}
 * (the lifecycle behind jbuild run/ps/stop/rm). Everything else (sys, net, overlay, fs, spec, runc,
 * workspace, exec, diff, chroot) is internal.
 */
module dev.jbuild.runner {
  requires transitive dev.jbuild.store;
  requires jdk.unsupported; // sun.misc.Signal: jbuild run forwards SIGINT/SIGTERM to the container

  exports dev.jbuild.runner;
  exports dev.jbuild.runner.container;
  exports dev.jbuild.runner.user;
}
