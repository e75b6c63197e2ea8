package dev.jbuild.grammar.graph;

/**
 * What a FROM, {@code COPY --from} or {@code RUN --mount from=} refers to, resolved as BuildKit
 * does: an earlier stage, the empty filesystem, or an image reference.
 */
public sealed interface SourceRef
    permits SourceRef.StageRef, SourceRef.Scratch, SourceRef.ImageRef {

  /** A stage of the same Dockerfile, by index. */
  record StageRef(int index) implements SourceRef {}

  /** {@code scratch}: nothing. */
  record Scratch() implements SourceRef {}

  /** An image reference as expanded (not normalised: "alpine", "localhost:5000/x@sha256:..."). */
  record ImageRef(String reference) implements SourceRef {}
}
