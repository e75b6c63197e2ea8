package dev.jbuild.builder.publish;

import java.io.IOException;

/**
 * A registry refused a push or a cache export after the image was built: the image is in the store,
 * and the cause ({@link dev.jbuild.layercache.registry.RegistryException} for a registry's answer)
 * says what failed.
 */
public final class PublishFailure extends Exception {
  private static final long serialVersionUID = 1L;

  public PublishFailure(IOException cause) {
    super(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
  }

  @Override
  public synchronized IOException getCause() {
    return (IOException) super.getCause();
  }
}
