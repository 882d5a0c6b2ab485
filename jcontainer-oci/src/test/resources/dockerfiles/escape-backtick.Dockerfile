# escape=`
# Reference: the escape directive switches continuation and escaping to a backtick (Windows paths).
FROM scratch
COPY testfile.txt c:\
RUN dir c:\ `
    /s
ENV A=x`"y
