package io.jcontainer.cli;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Images;

/** {@code jcontainer logout}: removes stored credentials. */
public final class LogoutCommand implements Command {
    @Override
    public String name() {
        return "logout";
    }

    @Override
    public String summary() {
        return "Log out from a registry";
    }

    @Override
    public String usage() {
        return "logout [SERVER]";
    }

    @Override
    public Flags flags() {
        return new Flags();
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        if (p.positionals().size() > 1) throw new UsageException("\"logout\" requires at most 1 argument.");
        String server = p.positionals().isEmpty() ? ImageReference.DOCKER_HUB : LoginCommand.registryOf(p.positionals().getFirst());
        try (Images images = ImageCli.open()) {
            if (images.logout(server)) io.out().println("Removing login credentials for " + server);
            else io.out().println("Not logged in to " + server);
        }
        return 0;
    }
}
