# Assay: the evaluator and the operator in one image.
#   docker build -t assay .
#   evaluator: assay-evaluator serve --host 0.0.0.0   operator: assay-operator run --leader-elect

# The toolchain the repo is developed with (Swift 6.3).
ARG SWIFT_VERSION=6.3
FROM swift:${SWIFT_VERSION}-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libcurl4-openssl-dev libhiredis-dev libyaml-dev libpcre2-dev pkg-config \
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

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates libcurl4 libhiredis0.14 libyaml-0-2 libpcre2-8-0 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 assay \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin assay
COPY --from=build /out/assay-evaluator /out/assay-operator /usr/local/bin/
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT []
CMD ["assay-evaluator", "serve", "--host", "0.0.0.0"]
