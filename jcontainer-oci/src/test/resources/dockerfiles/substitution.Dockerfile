# Reference: $VAR, ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word}, #, ##, %, %%, / and //,
# escaping with \$, and values inside quotes.
FROM scratch
ENV FOO=/bar EMPTY= STRING=foobarbaz PATHV=/usr/local/bin/app.tar.gz
WORKDIR ${FOO}
ADD . $FOO
COPY \$FOO /quux
ENV a=${UNSET:-default} b=${EMPTY:-emptydefault} c=${EMPTY-keptempty} d=${UNSET-unsetdefault}
ENV e=${FOO:+set} f=${UNSET:+notset} g=${EMPTY:+x} h=${EMPTY+y}
ENV i=${STRING#foo} j=${STRING#*o} k=${STRING##*o} l=${STRING%baz} m=${STRING%a*} n=${STRING%%a*}
ENV o=${PATHV##*/} p=${PATHV%.*} q=${PATHV%%.*} r=${PATHV#/usr/}
ENV s=${STRING/o/0} t=${STRING//o/0} u=${STRING/#foo/} v=${FOO}suffix w=pre${FOO}
ENV x="${FOO} in quotes" y='${FOO} single' z=${UNSET:-$FOO/nested}
