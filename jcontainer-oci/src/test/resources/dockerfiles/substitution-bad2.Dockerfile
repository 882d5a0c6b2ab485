FROM scratch
WORKDIR ${:FOO}
