# Assay: the evaluator and the operator in one image.
#   docker build -t assay .       builds the binaries from source in the Swift image (target runtime)
#   tools/image build             podman, no registry: target prebuilt around host-built release
#                                 binaries, on a Debian base made with debootstrap (see README)
#   evaluator: assay-evaluator serve --host 0.0.0.0   operator: assay-operator run --leader-elect
# Runs as uid/gid 65532 with a read-only root filesystem; the evaluator pods mount a tmpfs on /tmp.

# The toolchain the repo is developed with (Swift 6.3).
ARG SWIFT_VERSION=6.3
# The runtime's Debian base; tools/image points it at the debootstrapped one imported into podman.
ARG BASE_IMAGE=debian:bookworm-slim

FROM swift:${SWIFT_VERSION}-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libcurl4-openssl-dev libhiredis-dev libyaml-dev libpcre2-dev libsimdjson-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime and Foundation are linked statically, so the runtime image needs only the
# C libraries from Debian.
RUN swift build -c release --static-swift-stdlib --product assay-evaluator \
 && swift build -c release --static-swift-stdlib --product assay-operator \
 && mkdir -p /out \
 && cp "$(swift build -c release --show-bin-path)/assay-evaluator" \
       "$(swift build -c release --show-bin-path)/assay-operator" /out/

# What every runtime image holds: the C libraries the binaries link (libcurl, hiredis, libyaml,
# PCRE2, simdjson, the C++ runtime the static Swift runtime needs), CA certificates for provider TLS, current
# security fixes, and the non-root user. Nothing else is written at run time.
FROM ${BASE_IMAGE} AS runtime-base
RUN apt-get update \
 && apt-get upgrade -y \
 && apt-get install -y --no-install-recommends \
      ca-certificates libcurl4 libhiredis0.14 libyaml-0-2 libpcre2-8-0 libsimdjson14 libstdc++6 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && groupadd --system --gid 65532 assay \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin assay \
 && echo /usr/local/lib/assay > /etc/ld.so.conf.d/assay.conf
EXPOSE 8080 8081
ENTRYPOINT []
CMD ["assay-evaluator", "serve", "--host", "0.0.0.0"]

# Around release binaries built elsewhere (tools/image stages them into its build context):
# assay-bin/ holds the executables; assay-lib/ the Swift runtime libraries when they link it
# dynamically (empty for --static-swift-stdlib builds).
FROM runtime-base AS prebuilt
COPY assay-bin/ /usr/local/bin/
COPY assay-lib/ /usr/local/lib/assay/
RUN ldconfig
USER 65532:65532

# The default target: the binaries built from source above.
FROM runtime-base AS runtime
COPY --from=build /out/assay-evaluator /out/assay-operator /usr/local/bin/
USER 65532:65532
