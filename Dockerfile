# syntax=docker/dockerfile:1
# tickgate: compile a single binary, run it on a small glibc base as non-root.

ARG DENO_VERSION=2.9.6

FROM denoland/deno:${DENO_VERSION} AS build
WORKDIR /src
# Dependencies first, in their own cached layer, exactly as locked.
COPY deno.json deno.lock ./
COPY main.ts ./
COPY src/ ./src/
RUN deno install --frozen --entrypoint main.ts
RUN deno compile --frozen \
      --allow-net --allow-env --allow-read --allow-write --allow-sys \
      -o /out/tickgate main.ts \
 && mkdir -p /out/data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/tickgate /usr/local/bin/tickgate
COPY --from=build --chown=65532:65532 /out/data /data
ENV DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8080
VOLUME ["/data"]
EXPOSE 8080
USER nonroot
# SIGTERM (docker stop) and SIGINT (Fly's default kill signal) both drain and exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/tickgate"]
CMD ["run"]
