# Reference: here-documents for RUN, COPY and ADD; <<- strips leading tabs; a quoted delimiter
# disables expansion in COPY; several here-docs on one line; a shebang script.
FROM scratch
ARG FOO=bar
RUN <<EOF
apt-get update
apt-get install -y vim
EOF
RUN <<EOT bash
  set -ex
  echo $FOO
EOT
RUN cat <<FILE1 > f1 && cat <<FILE2 > f2
first
FILE1
second
FILE2
RUN <<-EOF
	tabbed
	EOF
COPY <<EOF /expanded
FOO is $FOO
EOF
COPY <<"EOF" /literal
FOO is $FOO
EOF
COPY --chmod=755 <<'SCRIPT' <<EOT2 /app/
#!/bin/sh
echo $FOO
SCRIPT
two $FOO "quoted" \$escaped
EOT2
RUN <<EOF
#!/usr/bin/env python3
print("hi")
EOF
ADD <<EOF /added
added
EOF
