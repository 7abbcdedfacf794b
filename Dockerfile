# syntax=docker/dockerfile:1
# tickgate container image: compile one binary in a Deno image, run it on
# distroless cc (glibc, no shell, no package manager) as the non-root user.
#
#   docker build --build-arg TICKGATE_COMMIT="$(git rev-parse HEAD)" -t tickgate .
#   docker run --rm -p 8080:8080 -v tickgate-data:/data tickgate
#
# Layer order keeps rebuilds cheap: a change under src/ reuses the cached
# dependency layer; only deno.json or deno.lock changes download again.

# Keep in step with DENO_VERSION in .ci/run (tests/deploy_test.ts checks it).
ARG DENO_VERSION=2.9.6

# ---- deps: every npm package of deno.json's imports, exactly as locked ----
FROM denoland/deno:${DENO_VERSION} AS deps
WORKDIR /src
COPY deno.json deno.lock ./
RUN deno install --frozen

# ---- build: compile dist/tickgate with the permissions scripts/permissions.ts names ----
FROM deps AS build
# The commit `tickgate --version` prints; .git is not in the build context.
ARG TICKGATE_COMMIT
COPY scripts/ ./scripts/
COPY main.ts ./
COPY src/ ./src/
RUN deno task compile \
 && install -D -m 0755 dist/tickgate /out/tickgate \
 && /out/tickgate --version \
 && mkdir -p /out/data

# ---- runtime ----
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
ARG TICKGATE_COMMIT
LABEL org.opencontainers.image.title="tickgate" \
      org.opencontainers.image.description="Crypto market data from exchange WebSockets to your sinks" \
      org.opencontainers.image.revision="${TICKGATE_COMMIT}"
COPY --from=build /out/tickgate /usr/local/bin/tickgate
# An empty /data owned by nonroot (65532): a fresh named volume copies this
# ownership, so the spool and SQLite store are writable without root.
COPY --from=build --chown=65532:65532 /out/data /data
ENV DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8080
VOLUME ["/data"]
EXPOSE 8080
USER nonroot
# Liveness, not readiness: /health answers 503 on e.g. a refused private
# stream key, which a restart cannot fix. No curl in distroless: the binary
# probes itself (http://127.0.0.1:$PORT/health/live; exit 0 on 2xx, 1 otherwise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/tickgate", "probe"]
# SIGTERM (docker stop, Kubernetes, systemd, Fly) and SIGINT both drain the
# sinks within SHUTDOWN_TIMEOUT_MS (4500 ms) and exit 0; docker stop waits 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/tickgate"]
CMD ["run"]
