# Reference: COPY and ADD flags, several sources, JSON form for paths with spaces, --from a stage,
# an image or an index, --chown, --chmod, --link, --exclude, ADD --checksum with a URL.
FROM scratch AS build
COPY hom* /mydir/
COPY hom?.txt /mydir/
COPY --chown=55:mygroup --chmod=644 files* /somedir/
COPY --link --from=build /out /out
COPY --from=nginx:latest /etc/nginx/nginx.conf /nginx.conf
COPY --from=0 /x /y
COPY ["a b.txt", "c d/"]
COPY --exclude=*.md --exclude=*.txt . /src
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://mirrors.edge.kernel.org/pub/linux/kernel/Historic/linux-0.01.tar.gz /
ADD --chown=1:1 --chmod=0700 --link archive.tar /extract/
ADD --link=false a /b
