FROM scratch
ADD git@git.example.com:foo/bar.git /bar
