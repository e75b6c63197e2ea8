package dev.jbuild.layercache.store;

import java.io.IOException;

/** The store's root is reachable by other users or belongs to someone else. */
public final class StorePermissionException extends IOException {
  public StorePermissionException(String message) {
    super(message);
  }
}
