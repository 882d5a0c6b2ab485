# syntax=docker/dockerfile:1
#ESCAPE = `
# Reference: directives are case-insensitive, allow whitespace, syntax= is accepted and ignored.
FROM scratch
RUN a `
  b
