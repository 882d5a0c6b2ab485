# Reference: an escape at the end of a line continues it; comment lines and empty lines inside a
# continued instruction are skipped; the whitespace before the escape is kept; a trailing escape
# followed by spaces still continues.
FROM scratch
RUN echo one \
    two \
# a comment inside the continuation
    three \

    four
RUN echo a\   
b
# a comment line that ends with an escape does not continue \
RUN echo after
