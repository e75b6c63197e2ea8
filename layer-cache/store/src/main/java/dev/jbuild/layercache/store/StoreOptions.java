package dev.jbuild.layercache.store;

import java.util.Objects;

/** How a store is opened: the layer unpacker (the codec's LayerApplier by default). */
public record StoreOptions(LayerUnpacker unpacker) {
  public StoreOptions {
    Objects.requireNonNull(unpacker, "unpacker");
  }

  public static StoreOptions defaults() {
    return new StoreOptions(DefaultUnpacker.INSTANCE);
  }

  public StoreOptions withUnpacker(LayerUnpacker newUnpacker) {
    return new StoreOptions(newUnpacker);
  }
}
