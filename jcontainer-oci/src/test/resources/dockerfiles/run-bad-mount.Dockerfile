FROM scratch
RUN --mount=type=cache echo no target
