FROM scratch
ONBUILD FROM busybox
