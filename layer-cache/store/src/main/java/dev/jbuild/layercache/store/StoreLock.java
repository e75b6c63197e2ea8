package dev.jbuild.layercache.store;

/** A held store lock (shared or exclusive); close releases it. */
public interface StoreLock extends AutoCloseable {
  boolean exclusive();

  @Override
  void close();
}
