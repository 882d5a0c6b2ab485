package io.jcontainer;

/**
 * Linux namespaces a container can be given (namespaces(7)). Each isolates one kind of global
 * resource; a container normally asks for all of them.
 */
public enum Namespace {
    /** Process ids: the command is PID 1 and {@code /proc} shows only the container. */
    PID,
    /** Network stack: only a loopback interface, brought up. */
    NET,
    /** Mount table: the container's mounts never reach the host. Required for a root filesystem. */
    MNT,
    /** Host and NIS domain name. */
    UTS,
    /** System V IPC and POSIX message queues. */
    IPC,
    /** User and group ids: root inside maps to an unprivileged (or the calling) user outside. */
    USER,
    /** The cgroup tree: the container sees its own cgroup as the root. */
    CGROUP,
    /** CLOCK_MONOTONIC/BOOTTIME offsets (Linux 5.6+); silently absent on older kernels is not allowed: start fails. */
    TIME
}
