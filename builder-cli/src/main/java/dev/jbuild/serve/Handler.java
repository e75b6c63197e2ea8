package dev.jbuild.serve;

import java.io.IOException;

/** Answers one API route. */
@FunctionalInterface
public interface Handler {
  void handle(ApiCall call) throws IOException, ApiException, InterruptedException;
}
