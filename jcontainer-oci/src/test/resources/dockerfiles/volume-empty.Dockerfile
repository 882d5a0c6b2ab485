FROM scratch
VOLUME [""]
