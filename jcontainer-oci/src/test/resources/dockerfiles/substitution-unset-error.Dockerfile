# Reference (shell): ${VAR:?message} fails the build when VAR is unset or empty.
FROM scratch
ENV EMPTY=
ENV ok=${EMPTY?fine_when_set_even_empty}
ENV need=${REQUIRED:?must_be_set}
