FROM scratch
ADD https://github.com/moby/buildkit.git#v0.10.1 /buildkit
