# A BOM and CRLF line ends are accepted.
FROM scratch
RUN echo a \
  b
ENV A=1
