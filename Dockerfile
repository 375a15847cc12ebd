# syntax=docker/dockerfile:1
# autodev: one image for `autodev worker` and `autodev telegram` (docker-compose.yml).
#
#   docker build -t autodev:local .
#
# Build stage: the whole workspace, release profile, Cargo.lock respected. Runtime stage: Debian slim with git
# (the gate runs it) and tini, running as an unprivileged user. The healthcheck uses the binary itself
# (`autodev health`), because the image has no curl.
# Gate checks (`.autodev_ssot/gate.toml`, `--check`) run inside this container, in the gate's sandbox (Landlock;
# `autodev doctor` says what the container's kernel and seccomp profile allow): add the tools they need (a
# compiler, a test runner) in a derived image, e.g. `FROM autodev:local` + `USER root` + apt-get.

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p autodev \
 && install -m 0755 target/release/autodev /usr/local/bin/autodev

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git tini \
 && rm -rf /var/lib/apt/lists/* \
 # The repository is a bind mount owned by the host user; let git work in it whatever uid runs us.
 && git config --system --add safe.directory '*' \
 && useradd --uid 10001 --user-group --create-home --home-dir /home/autodev --shell /usr/sbin/nologin autodev \
 # compose runs the container as the repository owner's uid, which has no passwd entry: give it a HOME, and
 # the gate's cache folder (a named volume in compose starts with these permissions).
 && mkdir -p /home/autodev/.cache/autodev \
 && chmod 1777 /home/autodev /home/autodev/.cache /home/autodev/.cache/autodev
COPY --from=build /usr/local/bin/autodev /usr/local/bin/autodev
ENV HOME=/home/autodev \
    AUTODEV_LISTEN=0.0.0.0:8088
USER 10001:10001
EXPOSE 8088
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["autodev", "health", "--url", "http://127.0.0.1:8088/healthz"]
ENTRYPOINT ["tini", "--", "autodev"]
CMD ["worker"]
