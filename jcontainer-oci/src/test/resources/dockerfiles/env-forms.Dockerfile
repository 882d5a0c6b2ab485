# Reference: ENV key=value pairs (quotes and escapes processed), the legacy ENV key value form,
# and every value of one ENV sees the variables as they were before it.
FROM scratch
ENV MY_NAME="John Doe" MY_DOG=Rex\ The\ Dog \
    MY_CAT=fluffy
ENV LEGACY value with   spaces
ENV abc=hello
ENV abc=bye def=$abc
ENV ghi=$abc
ENV quoted='single $abc' dq="double $abc" esc=\$abc
LABEL "com.example.vendor"="ACME Incorporated" version="1.0" description="This text illustrates \
that label-values can span multiple lines."
LABEL multi.label1="value1" multi.label2="value2" other="value3"
