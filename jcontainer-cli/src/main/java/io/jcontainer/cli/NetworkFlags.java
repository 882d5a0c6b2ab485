package io.jcontainer.cli;

import io.jcontainer.ContainerSpec;
import io.jcontainer.NetworkMode;
import io.jcontainer.NetworkOptions;
import io.jcontainer.PortBinding;
import io.jcontainer.docker.DefaultNetwork;
import io.jcontainer.docker.DockerPorts;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code run}'s network flags: {@code --network} and what a container has on a bridge network
 * ({@code -p}, {@code -P}, {@code --expose}, {@code --network-alias}, {@code --ip},
 * {@code --mac-address}, {@code --dns*}, {@code --add-host}), read into the model's
 * {@link NetworkMode.Named} with docker's port syntax ({@link DockerPorts}).
 *
 * <p>The default stays {@code none} (loopback only) unless ports are published: {@code -p} or
 * {@code -P} without {@code --network} puts the container on docker's default {@code bridge}.
 */
final class NetworkFlags {
    private NetworkFlags() {
    }

    static Flags declare(Flags f) {
        return f.value("network", (char) 0, "network", "Connect a container to a network: none (loopback only, the default), host, bridge, NAME, container:NAME")
                .alias("net", "network")
                .value("network-alias", (char) 0, "list", "Add network-scoped alias for the container")
                .alias("net-alias", "network-alias")
                .value("publish", 'p', "list", "Publish a container's port(s) to the host ([HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO])")
                .bool("publish-all", 'P', "Publish all exposed ports to random ports")
                .value("expose", (char) 0, "list", "Expose a port or a range of ports")
                .value("ip", (char) 0, "string", "IPv4 address (e.g., 172.30.100.104)")
                .value("ip6", (char) 0, "string", "IPv6 address (e.g., 2001:db8::33)")
                .value("mac-address", (char) 0, "string", "Container MAC address (e.g., 92:d0:c6:0a:29:33)")
                .value("dns", (char) 0, "list", "Set custom DNS servers")
                .value("dns-search", (char) 0, "list", "Set custom DNS search domains")
                .value("dns-option", (char) 0, "list", "Set DNS options")
                .alias("dns-opt", "dns-option")
                .value("add-host", (char) 0, "list", "Add a custom host-to-IP mapping (host:ip)");
    }

    /**
     * {@code run}'s network when no {@code --network} is given. {@code setting} is
     * {@code JCONTAINER_DEFAULT_NETWORK} (or {@code -Djcontainer.defaultNetwork} for a CLI run
     * inside a JVM). Unset or {@code auto} — docker's behaviour: the default bridge as root,
     * pasta (else slirp4netns) as an ordinary user where one is installed, else loopback only,
     * said on stderr; {@code bridge} — always the default bridge (through pasta for an ordinary
     * user); {@code none} — loopback only, unless ports are published (then the bridge they are
     * published from). The library's own default stays loopback only: an untrusted job gets no
     * network unless asked; the CLI, like docker's, gives one. Test harnesses that run the CLI in
     * the machine's own network namespace set {@code none} so no test makes a bridge there.
     * Null: loopback only.
     */
    static String defaultNetwork(String setting, boolean publishes, boolean root, boolean pasta) {
        DefaultNetwork.Choice choice;
        try {
            // nftables taken as there: a root run's start names what is missing itself
            choice = DefaultNetwork.choose(setting, root, true, pasta);
        } catch (IllegalArgumentException e) {
            throw new CliException(Cli.EXIT_ERROR, e.getMessage());
        }
        if (choice.network() != null || publishes) return "bridge"; // -p without a helper: the runtime's error names both
        if (choice.warning() != null) System.err.println("jcontainer: " + choice.warning());
        return null;
    }

    /**
     * Sets the network mode on {@code b}. {@code imageExposed}: the image's ExposedPorts, asked
     * only for {@code -P}.
     */
    static void apply(Flags.Parsed p, ContainerSpec.Builder b, Supplier<Set<String>> imageExposed) {
        String network = p.value("network");
        List<PortBinding> ports = new ArrayList<>();
        for (String v : p.values("publish")) ports.addAll(DockerPorts.parse(v));
        if (p.bool("publish-all")) {
            Set<String> exposed = new LinkedHashSet<>();
            for (String e : imageExposed.get()) exposed.addAll(DockerPorts.exposed(e));
            for (String e : p.values("expose")) exposed.addAll(DockerPorts.exposed(e));
            ports = DockerPorts.publishAll(ports, exposed);
        } else {
            for (String e : p.values("expose")) DockerPorts.exposed(e); // checked; docker records it only
        }
        boolean publishes = !p.values("publish").isEmpty() || p.bool("publish-all");
        if (network == null)
            network = defaultNetwork(DefaultNetwork.setting(), publishes, DefaultNetwork.root(), DefaultNetwork.networkHelper());
        NetworkMode mode = network == null ? NetworkMode.NONE : NetworkMode.parse(network.equals("default") ? "bridge" : network);
        NetworkOptions options = new NetworkOptions(p.values("network-alias"), ports, p.value("ip"), p.value("mac-address"),
                p.values("dns"), p.values("dns-search"), p.values("dns-option"), p.values("add-host"), p.value("ip6"));
        if (mode instanceof NetworkMode.Named n) {
            if (!options.aliases().isEmpty() && n.name().equals("bridge"))
                throw new CliException(Cli.EXIT_ERROR, "network-scoped alias is supported only for containers in user defined networks");
            b.networkMode(new NetworkMode.Named(n.name(), options));
            return;
        }
        String what = !p.values("publish").isEmpty() ? "--publish" : p.bool("publish-all") ? "--publish-all"
                : !options.aliases().isEmpty() ? "--network-alias" : options.ip() != null ? "--ip" : options.ip6() != null ? "--ip6"
                : options.macAddress() != null ? "--mac-address" : !options.dns().isEmpty() ? "--dns"
                : !options.dnsSearch().isEmpty() ? "--dns-search" : !options.dnsOptions().isEmpty() ? "--dns-option"
                : !options.extraHosts().isEmpty() ? "--add-host" : null;
        if (what != null)
            throw new CliException(Cli.EXIT_ERROR, "conflicting options: " + what + " and the network mode " + network
                    + " (it needs a bridge network: --network bridge or a user-defined one)");
        if (mode instanceof NetworkMode.Container && p.value("hostname") != null)
            throw new CliException(Cli.EXIT_ERROR, "conflicting options: hostname and the network mode " + network);
        // instanceof, not a pattern switch: that switch's class would be spun at run time, outside the AOT cache
        if (!(mode instanceof NetworkMode.None)) b.networkMode(mode);
    }
}
