# seam: one static-ish binary in a small, non-root runtime image.
#   docker build -t seamline/seam .
#   docker run --rm -v "$PWD:/work" -w /work seamline/seam ci
# (Not built here: no Docker engine on the development machine;
#  scripts/runtime-image-check.sh checks the runtime stage in a chroot.)

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p seam-cli \
 && strip target/release/seam

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --create-home --shell /usr/sbin/nologin seam
COPY --from=build /src/target/release/seam /usr/local/bin/seam
USER 10001
WORKDIR /work
ENTRYPOINT ["seam"]
CMD ["--help"]
