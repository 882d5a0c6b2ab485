package io.jcontainer.linux.state;

import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Names for recorded containers started without {@code --name}, docker-style
 * ({@code adjective_noun}), so that {@code ps} and every verb can refer to them by something a
 * person can type. Our own word lists (1,600 pairs); after a few collisions a number is
 * appended, as docker does.
 */
public final class GeneratedNames {
    private static final List<String> ADJECTIVES = List.of(
            "agile", "amber", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "daring",
            "eager", "early", "fond", "gentle", "glad", "golden", "happy", "humble", "jolly", "keen",
            "kind", "lively", "lucid", "merry", "mellow", "nimble", "noble", "patient", "plucky", "proud",
            "quiet", "rapid", "serene", "sharp", "steady", "sunny", "swift", "tidy", "vivid", "witty");
    private static final List<String> NOUNS = List.of(
            "aurora", "badger", "beacon", "canyon", "comet", "coral", "cricket", "delta", "ember", "falcon",
            "fern", "fjord", "galaxy", "glacier", "harbor", "heron", "island", "juniper", "kestrel", "lagoon",
            "lantern", "lynx", "maple", "meadow", "meteor", "nebula", "otter", "pebble", "pine", "prairie",
            "quasar", "raven", "reef", "river", "sparrow", "summit", "tundra", "valley", "walrus", "willow");
    private static final Random RANDOM = new SecureRandom();

    private GeneratedNames() {
    }

    /** A name not in {@code taken}. */
    public static String next(Set<String> taken) {
        return next(taken, RANDOM);
    }

    static String next(Set<String> taken, Random random) {
        for (int attempt = 0; ; attempt++) {
            String name = ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "_" + NOUNS.get(random.nextInt(NOUNS.size()));
            if (attempt >= 8) name += random.nextInt(10_000);
            if (!taken.contains(name)) return name;
        }
    }
}
