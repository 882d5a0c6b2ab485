# Reference: instructions are case-insensitive, comments are dropped, leading whitespace is allowed,
# every instruction in both forms where it has two.
from busybox AS Base
  RUN echo hello
run ["echo", "exec form"]
CMD ["/bin/sh", "-c", "echo cmd"]
CMD echo shell form cmd
ENTRYPOINT ["/bin/app", "--flag"]
ENTRYPOINT exec /bin/app
WORKDIR /srv/app
USER 1000:1000
STOPSIGNAL SIGTERM
MAINTAINER Jane Doe <jane@example.com>
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
VOLUME /data /cache
VOLUME ["/json"]
EXPOSE 80 443/tcp 53/udp 8000-8002
ONBUILD RUN echo triggered
ONBUILD COPY . /app
