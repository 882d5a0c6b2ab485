# unknowndirective=value
# escape=`
# Reference: an unknown directive is a comment and ends the directives.
FROM scratch
RUN a \
  b
