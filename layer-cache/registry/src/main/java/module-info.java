/**
 * Registries (pull, push, credentials, registries.json, the HTTP transport) and image archives. The
 * only jbuild module that reads Jib.
 */
@SuppressWarnings("requires-automatic") // Jib Core has no module-info, only a module name
module dev.jbuild.registry {
  requires transitive dev.jbuild.store;
  requires transitive java.net.http; // the exported transport's body handlers
  requires com.google.cloud.tools.jib;
  requires org.apache.commons.compress;

  exports dev.jbuild.layercache.archive;
  exports dev.jbuild.layercache.registry;
  exports dev.jbuild.layercache.registry.auth;
  // the transport: `jbuild login` checks credentials with it, ADD <url> streams through its
  // idle-timeout body handler
  exports dev.jbuild.layercache.registry.http;
}
