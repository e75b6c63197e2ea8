/**
 * Test-only support (images, a local registry, the image validator, users for rootless tests).
 * Other modules use it in test scope only; nothing in a module's src/main may require it.
 */
module dev.jbuild.testdata {
  requires transitive dev.jbuild.store;
  requires transitive jdk.httpserver; // LoopbackHttpServer takes its handlers
  requires transitive java.net.http; // LocalRegistry.httpClient()

  exports dev.jbuild.testing;
}
