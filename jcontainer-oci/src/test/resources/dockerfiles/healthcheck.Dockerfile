# Reference: HEALTHCHECK NONE, CMD in both forms, every option with Go durations.
FROM scratch
HEALTHCHECK NONE
HEALTHCHECK --interval=5m --timeout=3s --start-period=1m30s --start-interval=500ms --retries=3 \
  CMD curl -f http://localhost/ || exit 1
HEALTHCHECK CMD ["/bin/check", "--quiet"]
