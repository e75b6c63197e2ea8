package dev.jbuild.layercache.store;

/**
 * {@code jbuild system df}: per kind, how many, how many in use, bytes, and bytes a default prune
 * would free.
 */
public record DiskUsage(Row images, Row layers, Row buildCache, Row unreferenced) {
  /** One line of the report. */
  public record Row(String type, int total, int active, long size, long reclaimable) {}
}
