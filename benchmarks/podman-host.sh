# Sourced by the benchmarks that run podman: what podman leaves in the host's own namespaces even
# with --network none, undone when it was not there before — its shared bind mount of /run/netns,
# and conmon's libpod_parent cgroups (with 'tasks' files under controllers that have no hierarchy
# here, which are plain directories rmdir alone cannot remove).
podman_host_before() {
  podman_had_parent=; { [ -d /sys/fs/cgroup/pids/libpod_parent ] || [ -d /sys/fs/cgroup/libpod_parent ]; } && podman_had_parent=1
  podman_had_netns=; grep -q ' /run/netns ' /proc/self/mountinfo && podman_had_netns=1
  return 0
}
podman_host_undo() {
  if [ -z "${podman_had_parent:-}" ]; then
    for d in /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent; do
      [ -d "$d" ] || continue
      find "$d" -type f -name tasks -delete 2>/dev/null || true
      find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
  fi
  [ -n "${podman_had_netns:-}" ] || ! grep -q ' /run/netns ' /proc/self/mountinfo || umount /run/netns
  return 0
}
