# Reference: ARG before FROM is usable in FROM lines only; a stage re-declares it (without a value
# it keeps the global one); build args override defaults; ENV overrides ARG; args reach RUN;
# several ARGs on one line; an unknown build arg is reported as unconsumed.
ARG VERSION=latest
ARG BASE
FROM busybox:$VERSION AS first
RUN echo $VERSION
ARG VERSION
ARG user=someuser
ARG CONT_IMG_VER
ENV CONT_IMG_VER=${CONT_IMG_VER:-v1.0.0}
USER $user
ARG a=1 b=$a
ARG TARGETARCH
FROM ${BASE:-alpine}:3 AS second
RUN echo $VERSION
