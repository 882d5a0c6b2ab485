package io.jcontainer.image;

/** The formats of {@link Images#save} and {@link Images#load}. */
public enum ArchiveFormat {
    /** {@code docker save}'s tar: {@code manifest.json}, config and layer tars (docker load, podman load). */
    DOCKER_ARCHIVE,
    /** An OCI image layout in a tar: {@code oci-layout}, {@code index.json}, {@code blobs/} (skopeo oci-archive:). */
    OCI_ARCHIVE
}
