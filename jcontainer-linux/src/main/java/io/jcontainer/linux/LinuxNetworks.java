package io.jcontainer.linux;

import io.jcontainer.NetworkMode;
import io.jcontainer.NetworkOptions;
import io.jcontainer.PortBinding;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.NetworkInfo;
import io.jcontainer.lifecycle.Networks;
import io.jcontainer.linux.net.Endpoint;
import io.jcontainer.linux.net.NetworkAttachment;
import io.jcontainer.linux.net.NetworkConfig;
import io.jcontainer.linux.net.NetworkException;
import io.jcontainer.linux.net.PortMapping;
import io.jcontainer.linux.net.Subnet;
import io.jcontainer.linux.state.ContainerState;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.state.RecordCheck;
import io.jcontainer.linux.state.StoredSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The lifecycle API's {@link Networks} over this host's bridge networks
 * ({@link io.jcontainer.linux.net.Networks}, kept beside the container records): the network
 * layer's errors become the API's (not found, conflict), containers are found in the store and
 * checked against the kernel ({@link RecordCheck}) before anything joins their namespace.
 */
final class LinuxNetworks implements Networks {
    private final LinuxContainerRuntime runtime;

    LinuxNetworks(LinuxContainerRuntime runtime) {
        this.runtime = runtime;
    }

    private io.jcontainer.linux.net.Networks net() {
        return runtime.networks(); // an ordinary user's: bridges in its rootless network namespace
    }

    @Override
    public NetworkInfo create(String name, String driver, String subnet, String gateway, String ipRange, boolean internal,
                              Map<String, String> labels, Map<String, String> options) {
        if (driver != null && !driver.equals("bridge"))
            throw new Containers.NotSupportedYetException("network driver '" + driver + "' is not supported: only bridge");
        return create(name, driver, subnet, gateway, ipRange, internal, labels, options, false, null, null);
    }

    @Override
    public NetworkInfo create(String name, String driver, String subnet, String gateway, String ipRange, boolean internal,
                              Map<String, String> labels, Map<String, String> options, boolean ipv6, String subnet6, String gateway6) {
        if (driver != null && !driver.equals("bridge"))
            throw new Containers.NotSupportedYetException("network driver '" + driver + "' is not supported: only bridge");
        return translated(() -> info(net().create(name, subnet, gateway, ipRange, internal, labels == null ? Map.of() : labels,
                options == null ? Map.of() : options, ipv6, subnet6, gateway6), List.of()));
    }

    @Override
    public List<NetworkInfo> list() {
        return translated(() -> {
            var n = net();
            n.inspect(io.jcontainer.linux.net.Networks.DEFAULT); // docker always lists it: made (as data) on first sight
            List<NetworkInfo> out = new ArrayList<>();
            for (NetworkConfig c : n.list()) out.add(info(c, n.endpoints(c.name())));
            return out;
        });
    }

    @Override
    public NetworkInfo find(String ref) {
        return translated(() -> {
            var n = net();
            NetworkConfig c = n.find(ref);
            return info(c, n.endpoints(c.name()));
        });
    }

    @Override
    public void remove(String ref) {
        translated(() -> {
            var n = net();
            // docker's host and none modes are listed as networks: refused as the pre-defined ones they are
            n.remove(ref.equals("host") || ref.equals("none") ? ref : n.find(ref).name());
            return null;
        });
    }

    @Override
    public List<String> prune() {
        return translated(() -> net().prune());
    }

    @Override
    public NetworkInfo.Endpoint connect(String network, String container, NetworkOptions options) {
        if (!runtime.isRoot())
            throw new Containers.NotSupportedYetException("network connect as an ordinary user: a running container's namespace can be linked to"
                    + " a network only at its start (run --network " + network + ")");
        return translated(() -> {
            var n = net();
            NetworkConfig c = n.find(network);
            ContainerState s = running(container);
            NetworkAttachment.Request req = LinuxContainerRuntime.request(new NetworkMode.Named(c.name(), options == null ? NetworkOptions.NONE : options));
            List<String> aliases = new ArrayList<>(req.aliases());
            if (s.name() != null && !c.name().equals(io.jcontainer.linux.net.Networks.DEFAULT) && !aliases.contains(s.name())) aliases.addFirst(s.name());
            String hostname = null;
            try {
                var spec = StoredSpec.read(runtime.store().dir(s.id()));
                if (spec != null) hostname = spec.hostname();
            } catch (RuntimeException unreadable) {
                // its short id then
            }
            var a = n.connect(s.id(), s.pid(), req.named(hostname != null ? hostname : s.id().substring(0, 12), aliases));
            return endpoint(a.endpoint(), c);
        });
    }

    @Override
    public void disconnect(String network, String container) {
        translated(() -> {
            var n = net();
            NetworkConfig c = n.find(network);
            ContainerState s = runtime.store().find(container).state();
            n.disconnect(s.id(), c.name());
            return null;
        });
    }

    @Override
    public List<NetworkInfo.Endpoint> endpoints(String containerId) {
        java.nio.file.Path netRoot = runtime.store().root().resolveSibling("networks");
        // an ordinary user's published ports are its helper's (pasta, slirp4netns), not an endpoint's
        List<PortMapping> helper = runtime.isRoot() ? List.of() : io.jcontainer.linux.net.HelperPorts.of(netRoot, containerId);
        List<NetworkInfo.Endpoint> out = new ArrayList<>();
        if (runtime.isRoot() || java.nio.file.Files.isDirectory(netRoot.resolve("endpoints"))) {
            var n = runtime.networks();
            for (Endpoint e : n.endpointsOf(containerId)) {
                try {
                    out.add(endpoint(e, n.inspect(e.network())));
                } catch (NetworkException.NotFound gone) {
                    // removed meanwhile
                }
            }
        }
        if (helper.isEmpty()) return out;
        List<PortBinding> ports = new ArrayList<>();
        for (PortMapping p : helper) ports.add(new PortBinding(p.hostIp(), p.hostPort(), p.containerPort(), p.protocol()));
        if (out.isEmpty()) // the default network through the helper: docker's bridge, without an address of ours
            return List.of(new NetworkInfo.Endpoint(containerId, io.jcontainer.linux.net.Networks.DEFAULT, "", "", 0, "", "", List.of(), ports));
        NetworkInfo.Endpoint first = out.getFirst(); // on one of the user's networks: the helper is its way out
        out.set(0, new NetworkInfo.Endpoint(first.containerId(), first.network(), first.networkId(), first.ip(), first.prefixLength(), first.gateway(),
                first.macAddress(), first.aliases(), ports, first.ip6(), first.prefixLength6(), first.gateway6()));
        return out;
    }

    /** A running recorded container, its process checked against the kernel. */
    private ContainerState running(String ref) {
        ContainerStore.Entry e = runtime.store().find(ref);
        ContainerState s = e.state();
        if (!e.running() || !RecordCheck.isContainerProcess(s, s.pid(), s.pidStartTime()))
            throw new Containers.ConflictException("container " + s.id() + " is not running");
        return s;
    }

    private static NetworkInfo info(NetworkConfig c, List<Endpoint> endpoints) {
        List<NetworkInfo.Endpoint> eps = new ArrayList<>();
        for (Endpoint e : endpoints) eps.add(endpoint(e, c));
        Instant created;
        try {
            created = Instant.parse(c.created());
        } catch (RuntimeException e) {
            created = Instant.EPOCH;
        }
        return new NetworkInfo(c.name(), c.id(), c.driver(), c.bridge(), c.subnet(), c.gateway(), c.ipRange(), c.internal(), c.mtu(), created,
                c.labels(), c.options(), eps, c.enableIpv6(), c.subnet6(), c.gateway6());
    }

    private static NetworkInfo.Endpoint endpoint(Endpoint e, NetworkConfig c) {
        List<PortBinding> ports = new ArrayList<>();
        for (PortMapping p : e.ports()) ports.add(new PortBinding(p.hostIp(), p.hostPort(), p.containerPort(), p.protocol()));
        String mac = e.mac();
        if (mac == null) mac = io.jcontainer.linux.net.Networks.macOf(Subnet.parseAddress(e.ip()));
        return new NetworkInfo.Endpoint(e.containerId(), c.name(), c.id(), e.ip(), c.parsedSubnet().prefixLength(), c.internal() ? "" : c.gateway(),
                mac, e.aliases(), ports, e.ip6(), e.ip6() == null || c.parsedSubnet6() == null ? 0 : c.parsedSubnet6().prefixLength(),
                e.ip6() == null || c.internal() ? null : c.gateway6());
    }

    /** The network layer's errors as the API's. */
    private static <T> T translated(Supplier<T> body) {
        try {
            return body.get();
        } catch (NetworkException.NotFound e) {
            throw new NoSuchNetworkException(e.getMessage());
        } catch (NetworkException.Conflict e) {
            throw new Containers.ConflictException(e.getMessage());
        }
    }
}
