FROM scratch
RUN <<END
echo never ends
