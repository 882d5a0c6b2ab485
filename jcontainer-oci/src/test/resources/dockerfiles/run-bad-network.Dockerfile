FROM scratch
RUN --network=bridge true
