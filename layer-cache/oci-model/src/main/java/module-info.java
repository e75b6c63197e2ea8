/**
 * The OCI data model (digests, descriptors, media types, platforms, references, manifests, indexes,
 * image configs) and the one JSON reader and writer. Depends on the JDK only.
 */
module dev.jbuild.ocimodel {
  exports dev.jbuild.layercache.json;
  exports dev.jbuild.layercache.model;
}
