package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.RemoteBlobs;
import java.io.IOException;

/**
 * Fetches the store's remote blobs ({@link RemoteBlobs}) from the registry repository their source
 * names: {@code registry:HOST/REPOSITORY}, as {@link #source} writes it (a pulled base image's
 * layers, an imported registry cache's layers). The registry client verifies the digest and size
 * while it streams, retries and resumes.
 */
public final class RegistryBlobFetcher implements RemoteBlobs.BlobFetcher {
  private static final String PREFIX = "registry:";

  private final Registries registries;

  public RegistryBlobFetcher(Registries registries) {
    this.registries = registries;
  }

  /** The source string of blobs of {@code source}'s repository. */
  public static String source(Registries.Source source) {
    return PREFIX + source.registry().host() + "/" + source.repository();
  }

  @Override
  public void fetch(Descriptor blob, String source, BlobWriter into) throws IOException {
    int slash = source.indexOf('/', PREFIX.length());
    if (!source.startsWith(PREFIX) || slash < 0) {
      throw new IOException(
          "blob " + blob.digest() + " has a source jbuild cannot fetch from: " + source);
    }
    String host = source.substring(PREFIX.length(), slash);
    String repository = source.substring(slash + 1);
    try {
      registries.registry(host).getBlob(repository, blob.digest(), blob.size(), into, n -> {});
    } catch (RegistryException e) {
      throw RegistryErrors.lazyFetch(host + "/" + repository, blob.digest(), e);
    }
  }
}
