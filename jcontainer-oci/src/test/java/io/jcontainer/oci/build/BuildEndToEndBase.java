package io.jcontainer.oci.build;

/** The base image the build tests make from Debian's busybox-static, with nothing but the builder. */
final class BuildEndToEndBase {
    static final String DOCKERFILE = """
            FROM scratch
            COPY busybox /bin/busybox
            RUN ["/bin/busybox", "--install", "-s", "/bin"]
            RUN mkdir -p /etc /tmp /root && chmod 1777 /tmp \\
             && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd \\
             && echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> /etc/passwd \\
             && printf 'root:x:0:\\nnogroup:x:65534:\\n' > /etc/group
            """;

    private BuildEndToEndBase() {
    }
}
