package io.jcontainer.oci.build;

import io.jcontainer.oci.build.Instruction.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Variable substitution as docker applies it while building: the global {@code ARG}s (before the
 * first FROM) feed {@code FROM} lines; inside a stage, {@code ARG}s and {@code ENV}s (ENV winning)
 * feed ADD, COPY, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR, ARG and the RUN mounts.
 * RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK and ONBUILD are left to the shell, as in docker.
 *
 * <p>Build args override ARG defaults; the ones no ARG declared are reported by
 * {@link #unconsumedBuildArgs()} (docker's warning).
 */
public final class Expander {
    /** Args docker passes to RUN without a declaring ARG, and keeps out of the cache key. */
    public static final Set<String> PROXY_ARGS = Set.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
            "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

    private final char escape;
    private final String file;
    private final Map<String, String> buildArgs;
    private final Map<String, String> builtins;
    private final Map<String, String> meta = new LinkedHashMap<>();
    private final Set<String> consumed = Collections.synchronizedSet(new LinkedHashSet<>());

    /**
     * @param builtins the automatic platform args ({@code TARGETPLATFORM}, {@code BUILDARCH}…),
     *                 usable in FROM lines and, once declared by an ARG, in a stage
     */
    public Expander(Dockerfile df, Map<String, String> buildArgs, Map<String, String> builtins) {
        this.escape = df.escape();
        this.file = df.file();
        this.buildArgs = Map.copyOf(buildArgs);
        this.builtins = Map.copyOf(builtins);
        meta.putAll(builtins);
        for (Arg a : df.metaArgs()) {
            for (ArgDecl d : a.args()) {
                String value;
                if (buildArgs.containsKey(d.name())) {
                    value = buildArgs.get(d.name());
                    consumed.add(d.name());
                } else {
                    value = d.value() == null ? null : word(a.loc(), new ShellLex(escape), d.value(), nonNull(meta));
                }
                meta.put(d.name(), value);
            }
        }
    }

    /** The global args' values (null for one declared without a value and not given). */
    public Map<String, String> metaArgs() {
        return Collections.unmodifiableMap(meta);
    }

    /** Build args that no ARG declared (docker: "One or more build-args … were not consumed"). */
    public Set<String> unconsumedBuildArgs() {
        Set<String> out = new LinkedHashSet<>(buildArgs.keySet());
        out.removeAll(consumed);
        out.removeAll(PROXY_ARGS);
        return out;
    }

    /** FROM with its image and platform expanded from the global args. */
    public From from(From f) {
        ShellLex lex = new ShellLex(escape);
        Map<String, String> env = nonNull(meta);
        String image = word(f.loc(), lex, f.image(), env);
        if (image.isEmpty()) throw f.loc().error("base name (" + f.image() + ") should not be blank");
        String platform = f.platform() == null ? null : word(f.loc(), lex, f.platform(), env);
        return new From(f.loc(), image, platform, f.stageName());
    }

    /** A scope for one stage, starting from the base image's {@code Env} ({@code KEY=value} items). */
    public Scope stage(List<String> baseEnv) {
        return new Scope(baseEnv);
    }

    private String word(Loc loc, ShellLex lex, String s, Map<String, String> env) {
        try {
            return lex.word(s, env);
        } catch (ShellLex.LexException e) {
            throw loc.error(e.getMessage());
        }
    }

    private static Map<String, String> nonNull(Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v != null) out.put(k, v);
        });
        return out;
    }

    /** The variables of one stage as its instructions run. Not thread-safe: one per stage. */
    public final class Scope {
        private final LinkedHashMap<String, String> env = new LinkedHashMap<>();
        private final LinkedHashMap<String, String> args = new LinkedHashMap<>();

        private Scope(List<String> baseEnv) {
            for (String e : baseEnv) {
                int eq = e.indexOf('=');
                if (eq < 0) env.put(e, "");
                else env.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }

        /** The environment as the image config stores it. */
        public List<String> env() {
            List<String> out = new ArrayList<>();
            env.forEach((k, v) -> out.add(k + "=" + v));
            return out;
        }

        /**
         * The declared args with values that no ENV shadows: what RUN sees in its environment
         * and what its cache key includes (docker's behaviour), plus proxy args given on the command line.
         */
        public Map<String, String> runArgs() {
            Map<String, String> out = new LinkedHashMap<>();
            args.forEach((k, v) -> {
                if (v != null && !env.containsKey(k)) out.put(k, v);
            });
            return out;
        }

        /** Proxy build args: in RUN's environment, out of its cache key. */
        public Map<String, String> proxyArgs() {
            Map<String, String> out = new LinkedHashMap<>();
            buildArgs.forEach((k, v) -> {
                if (PROXY_ARGS.contains(k) && !args.containsKey(k)) out.put(k, v);
            });
            return out;
        }

        private Map<String, String> lookup() {
            Map<String, String> m = nonNull(args);
            m.putAll(env);
            return m;
        }

        /** Expands {@code ins} with the current variables, and applies it if it is an ARG or ENV. */
        public Instruction expand(Instruction ins) {
            ShellLex lex = new ShellLex(escape);
            Loc loc = ins.loc();
            return switch (ins) {
                case Env e -> {
                    Map<String, String> before = lookup();
                    List<KeyValue> out = new ArrayList<>();
                    // every value sees the variables as they were before this ENV (docker's rule)
                    for (KeyValue kv : e.vars()) {
                        String k = word(loc, lex, kv.key(), before);
                        if (k.isEmpty()) throw loc.error("ENV names can not be blank");
                        out.add(new KeyValue(k, word(loc, lex, kv.value(), before)));
                    }
                    for (KeyValue kv : out) env.put(kv.key(), kv.value());
                    yield new Env(loc, out);
                }
                case Arg a -> {
                    List<ArgDecl> out = new ArrayList<>();
                    for (ArgDecl d : a.args()) {
                        String value;
                        if (buildArgs.containsKey(d.name())) {
                            value = buildArgs.get(d.name());
                            consumed.add(d.name());
                        } else if (d.value() != null) {
                            value = word(loc, lex, d.value(), lookup());
                        } else {
                            value = meta.get(d.name()); // a global ARG re-declared without a value keeps its value
                        }
                        args.put(d.name(), value);
                        out.add(new ArgDecl(d.name(), value));
                    }
                    yield new Arg(loc, out);
                }
                case Label l -> {
                    Map<String, String> vars = lookup();
                    List<KeyValue> out = new ArrayList<>();
                    for (KeyValue kv : l.labels()) {
                        String k = word(loc, lex, kv.key(), vars);
                        if (k.isEmpty()) throw loc.error("LABEL names can not be blank");
                        out.add(new KeyValue(k, word(loc, lex, kv.value(), vars)));
                    }
                    yield new Label(loc, out);
                }
                case Expose x -> {
                    List<String> out = new ArrayList<>();
                    for (String p : x.ports()) {
                        try {
                            out.addAll(lex.words(p, lookup()));
                        } catch (ShellLex.LexException ex) {
                            throw loc.error(ex.getMessage());
                        }
                    }
                    yield new Expose(loc, Ports.normalise(loc, out));
                }
                case Volume v -> {
                    List<String> out = new ArrayList<>();
                    for (String p : v.paths()) {
                        String w = word(loc, lex, p, lookup());
                        if (w.isBlank()) throw loc.error("VOLUME specified can not be an empty string");
                        out.add(w);
                    }
                    yield new Volume(loc, out);
                }
                case Workdir w -> {
                    String p = word(loc, lex, w.path(), lookup());
                    if (p.isEmpty()) throw loc.error("WORKDIR cannot be empty");
                    yield new Workdir(loc, p);
                }
                case User u -> {
                    String p = word(loc, lex, u.user(), lookup());
                    if (p.isEmpty()) throw loc.error("USER cannot be empty");
                    yield new User(loc, p);
                }
                case StopSignal s -> new StopSignal(loc, word(loc, lex, s.signal(), lookup()));
                case Copy c -> {
                    Map<String, String> vars = lookup();
                    yield new Copy(loc, words(loc, lex, c.sources(), vars), word(loc, lex, c.dest(), vars),
                            heredocs(loc, c.heredocs(), vars), opt(loc, lex, c.from(), vars), opt(loc, lex, c.chown(), vars),
                            opt(loc, lex, c.chmod(), vars), c.link(), words(loc, lex, c.excludes(), vars));
                }
                case Add c -> {
                    Map<String, String> vars = lookup();
                    List<String> sources = words(loc, lex, c.sources(), vars);
                    for (String s : sources)
                        if (DockerfileParser.isGitSource(s))
                            throw loc.error("ADD from a git repository is not supported: " + s + " (clone it in a RUN step or in the context)");
                    yield new Add(loc, sources, word(loc, lex, c.dest(), vars), heredocs(loc, c.heredocs(), vars),
                            opt(loc, lex, c.checksum(), vars), opt(loc, lex, c.chown(), vars), opt(loc, lex, c.chmod(), vars),
                            c.link(), words(loc, lex, c.excludes(), vars));
                }
                case Run r -> {
                    Map<String, String> vars = lookup();
                    List<MountSpec> mounts = new ArrayList<>();
                    for (MountSpec m : r.mounts())
                        mounts.add(new MountSpec(m.type(), opt(loc, lex, m.target(), vars), opt(loc, lex, m.source(), vars),
                                opt(loc, lex, m.from(), vars), opt(loc, lex, m.id(), vars), m.sharing(), m.readOnly(),
                                m.mode(), m.uid(), m.gid(), m.size(), m.required(), m.env()));
                    yield new Run(loc, r.command(), mounts, r.network(), r.security(), r.heredocs());
                }
                case From f -> throw loc.error("FROM inside a stage");
                case Cmd c -> c;
                case Entrypoint c -> c;
                case Shell c -> c;
                case Healthcheck c -> c;
                case Onbuild c -> c;
                case Maintainer c -> c;
            };
        }

        private List<String> words(Loc loc, ShellLex lex, List<String> in, Map<String, String> vars) {
            List<String> out = new ArrayList<>();
            for (String s : in) out.add(word(loc, lex, s, vars));
            return out;
        }

        private String opt(Loc loc, ShellLex lex, String s, Map<String, String> vars) {
            return s == null ? null : word(loc, lex, s, vars);
        }

        private List<Heredoc> heredocs(Loc loc, List<Heredoc> in, Map<String, String> vars) {
            List<Heredoc> out = new ArrayList<>();
            ShellLex raw = new ShellLex(escape, true);
            for (Heredoc h : in) {
                String content = h.expand() ? word(loc, raw, h.effectiveContent(), vars) : h.effectiveContent();
                out.add(new Heredoc(h.name(), content, false, false));
            }
            return out;
        }
    }
}
