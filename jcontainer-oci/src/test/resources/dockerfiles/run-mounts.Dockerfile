# Reference: RUN --mount of every type with its options, --network, expansion in mount values.
FROM scratch
ARG CACHE=/root/.cache
RUN --mount=type=cache,target=$CACHE/go-build,sharing=locked,id=gocache go build
RUN --mount=type=bind,source=go.mod,target=go.mod,rw --mount=type=bind,from=build,target=/b ls
RUN --mount=type=secret,id=aws,target=/root/.aws/credentials,required=true cat /root/.aws/credentials
RUN --mount=type=secret,id=token,env=TOKEN echo $TOKEN
RUN --mount=type=secret,id=plain cat /run/secrets/plain
RUN --mount=type=tmpfs,target=/tmp,size=64m ls /tmp
RUN --mount=target=/ctx ls /ctx
RUN --network=none pip install --no-index x
RUN --network=host curl localhost
