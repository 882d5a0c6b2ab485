FROM scratch
ENV A="never closed
