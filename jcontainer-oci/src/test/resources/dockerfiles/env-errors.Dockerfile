FROM scratch
ENV onlyone
