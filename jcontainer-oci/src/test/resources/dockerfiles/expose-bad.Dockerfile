FROM scratch
EXPOSE 80/foo
