FROM scratch
RUN --mount=type=ssh ssh git@example.com
