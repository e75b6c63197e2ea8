package dev.jbuild.bench.parse;

/**
 * A synthetic Dockerfile of an exact number of lines, shaped like real ones: global ARGs, many
 * stages, RUN with continuations and cache mounts, COPY (also --from the previous stage), ENV and
 * ARG expansions, COPY and RUN heredocs, LABEL, EXPOSE, HEALTHCHECK, CMD.
 */
public final class GeneratedDockerfile {
  private GeneratedDockerfile() {}

  public static String lines(int count) {
    StringBuilder sb = new StringBuilder();
    int[] n = {0};
    line(sb, n, "# syntax=docker/dockerfile:1");
    line(sb, n, "ARG BASE_IMAGE=debian:bookworm-slim");
    line(sb, n, "ARG VERSION=1.0.0");
    int stage = 0;
    while (true) {
      String block = stage(stage);
      int blockLines = (int) block.chars().filter(c -> c == '\n').count();
      if (n[0] + blockLines > count) {
        break;
      }
      sb.append(block);
      n[0] += blockLines;
      stage++;
    }
    if (stage == 0) {
      line(sb, n, "FROM scratch");
    }
    while (n[0] < count) {
      line(sb, n, "RUN echo padding line " + n[0]);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, int[] n, String text) {
    sb.append(text).append('\n');
    n[0]++;
  }

  private static String stage(int s) {
    String prev =
        s > 0 ? "COPY --from=stage-" + (s - 1) + " /opt/app-" + (s - 1) + "/bin/ /opt/prev/\n" : "";
    return """
        FROM ${BASE_IMAGE} AS stage-%1$d
        ARG VERSION
        ARG TARGETARCH
        ENV APP_HOME=/opt/app-%1$d \\
            PATH=/opt/app-%1$d/bin:$PATH \\
            LANG=C.UTF-8
        WORKDIR ${APP_HOME}
        RUN set -eux; \\
            apt-get update; \\
            apt-get install -y --no-install-recommends \\
                ca-certificates \\
                curl \\
                git; \\
            rm -rf /var/lib/apt/lists/*
        COPY --chown=1000:1000 --chmod=0755 src/%1$d/ ${APP_HOME}/src/
        %2$sRUN --mount=type=cache,target=/root/.cache,id=cache-%1$d \\
            --mount=type=bind,source=Makefile,target=/tmp/Makefile \\
            make -C ${APP_HOME} VERSION=${VERSION}
        COPY <<EOF ${APP_HOME}/config.ini
        [app]
        version=${VERSION}
        arch=${TARGETARCH:-amd64}
        EOF
        RUN <<EOF
        #!/bin/sh
        echo building stage %1$d
        EOF
        LABEL org.opencontainers.image.version="${VERSION}" stage="%1$d"
        EXPOSE %3$d/tcp
        HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1
        CMD ["app", "--stage", "%1$d"]
        """
        .formatted(s, prev, 8000 + s % 1000);
  }
}
