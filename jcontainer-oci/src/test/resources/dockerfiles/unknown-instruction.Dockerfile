FROM scratch

RUN true
FOO bar
