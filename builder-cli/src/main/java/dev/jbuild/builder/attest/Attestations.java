package dev.jbuild.builder.attest;

import java.util.Optional;

/**
 * What a build attests ({@code --attest}, {@code --provenance}, {@code --sbom}, or buildx's default
 * provenance): each platform's image gets an attestation manifest in the image index.
 *
 * @param provenance SLSA provenance in this mode, or none
 * @param sbom an SPDX SBOM of the final root filesystem
 */
public record Attestations(Optional<Mode> provenance, boolean sbom) {
  /** Provenance detail: {@code min} (BuildKit's default) or {@code max} (build args, the steps). */
  public enum Mode {
    MIN,
    MAX
  }

  public Attestations {
    provenance = provenance == null ? Optional.empty() : provenance;
  }

  public static Attestations none() {
    return new Attestations(Optional.empty(), false);
  }

  /** Whether anything is attested (the build then stores an image index). */
  public boolean any() {
    return provenance.isPresent() || sbom;
  }
}
