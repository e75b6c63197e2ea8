/** The content-addressed store: blobs, layers, images, tags, cache records, locks, GC. */
module dev.jbuild.store {
  requires transitive dev.jbuild.layercodec;
  requires com.github.benmanes.caffeine;

  exports dev.jbuild.layercache.store;
}
