package io.jcontainer;

/**
 * Where a detached container's output goes (docker's {@code --log-driver} and {@code --log-opt}).
 * Only what the container's monitor itself can do is modelled: a bounded, rotated file
 * ({@link Driver#JSON_FILE}, {@link Driver#LOCAL}: the same file here) or nothing ({@link Driver#NONE}).
 *
 * @param driver   the driver
 * @param maxSize  the size past which the file is rotated ({@code max-size}); null = the runtime's default
 * @param maxFiles how many files are kept, the current one included ({@code max-file}), 1..100; 0 = the runtime's default
 */
public record LogConfig(Driver driver, DataSize maxSize, int maxFiles) {
    /** The runtime's defaults: a json-file of 10 MiB × 3. */
    public static final LogConfig DEFAULT = new LogConfig(Driver.JSON_FILE, null, 0);

    public enum Driver {
        JSON_FILE("json-file"), LOCAL("local"), NONE("none");

        private final String dockerName;

        Driver(String dockerName) {
            this.dockerName = dockerName;
        }

        /** Docker's name: {@code json-file}, {@code local}, {@code none}. */
        public String dockerName() {
            return dockerName;
        }

        /** Docker's name to a driver; the ones jcontainer has no code for are refused naming them. */
        public static Driver parse(String name) {
            for (Driver d : values()) if (d.dockerName.equals(name)) return d;
            throw new InvalidSpecException("log-driver", "logging driver '" + name
                    + "' is not supported: jcontainer has json-file, local and none (the others send the output to a daemon or service)");
        }
    }

    public LogConfig {
        if (driver == null) throw new InvalidSpecException("log-driver", "null");
        if (maxSize != null && maxSize.bytes() < 1024)
            throw new InvalidSpecException("log-opt", "max-size must be at least 1k, got " + maxSize);
        if (maxFiles < 0 || maxFiles > 100) throw new InvalidSpecException("log-opt", "max-file must be between 1 and 100, got " + maxFiles);
        if (driver == Driver.NONE && (maxSize != null || maxFiles != 0))
            throw new InvalidSpecException("log-opt", "the none driver takes no options");
    }

    /**
     * Docker's {@code --log-opt KEY=VALUE} on this config: {@code max-size} (a size, {@code 1k},
     * {@code 10m}) and {@code max-file} (a count); any other key is refused naming it.
     */
    public LogConfig withOption(String option) {
        int eq = option == null ? -1 : option.indexOf('=');
        if (eq <= 0) throw new InvalidSpecException("log-opt", "expected KEY=VALUE, got '" + option + "'");
        String k = option.substring(0, eq), v = option.substring(eq + 1);
        return switch (k) {
            case "max-size" -> new LogConfig(driver, DataSize.parse(v), maxFiles);
            case "max-file" -> {
                int n;
                try {
                    n = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    throw new InvalidSpecException("log-opt", "max-file must be a number, got '" + v + "'");
                }
                if (n < 1) throw new InvalidSpecException("log-opt", "max-file must be at least 1, got " + n);
                yield new LogConfig(driver, maxSize, n);
            }
            default -> throw new InvalidSpecException("log-opt", "unknown log opt '" + k + "' for " + driver.dockerName()
                    + " log driver (jcontainer has max-size and max-file)");
        };
    }
}
