# Reference: a directive after a comment is only a comment, so the escape stays a backslash.
# escape=`
FROM scratch
RUN a \
  b
