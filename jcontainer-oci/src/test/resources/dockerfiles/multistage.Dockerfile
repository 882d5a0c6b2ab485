# Reference: several stages, names are lower-cased, --platform with the automatic args, FROM a
# previous stage by name.
ARG IMG=busybox
FROM --platform=$TARGETPLATFORM ${IMG} AS Builder
RUN make
FROM builder AS test
RUN make test
FROM scratch
COPY --from=builder /bin/app /app
