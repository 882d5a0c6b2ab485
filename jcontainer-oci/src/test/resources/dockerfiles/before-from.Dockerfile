ENV X=1
FROM scratch
