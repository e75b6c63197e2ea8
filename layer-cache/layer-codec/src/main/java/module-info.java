/**
 * Layer tars (read, write, apply, walk), compression, the confined file-system toolkit and the
 * syscalls Java lacks, hashing streams. All four packages are API.
 */
module dev.jbuild.layercodec {
  requires transitive dev.jbuild.ocimodel;
  requires org.apache.commons.compress;
  requires com.github.luben.zstd_jni;

  exports dev.jbuild.layercache.compress;
  exports dev.jbuild.layercache.fs;
  exports dev.jbuild.layercache.io;
  exports dev.jbuild.layercache.tar;
}
