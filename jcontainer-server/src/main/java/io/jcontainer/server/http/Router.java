package io.jcontainer.server.http;

import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API's routes: {@code /v1.NN} is stripped and checked, then the first route whose method and
 * path match wins. Path patterns are literal segments and parameters: {@code {id}} is one segment,
 * {@code {name*}} any rest (image names contain slashes).
 */
public final class Router {
    private static final Pattern VERSIONED = Pattern.compile("^/v([0-9]+\\.[0-9]+)(/.*)$");
    private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)(\\*?)}");

    /** How a route takes its body: whole and bounded (JSON endpoints), or streamed (tars). */
    public enum Body { WHOLE, STREAM }

    private record Route(String method, Pattern pattern, List<String> names, Handler handler, Body body) {
    }

    /** A resolved request: the handler, its path parameters, the version asked for. */
    public record Match(Handler handler, Map<String, String> params, ApiVersion version, String path, Body body) {
    }

    private final List<Route> routes = new ArrayList<>();
    private final List<java.util.function.Consumer<Request>> observers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeables = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** {@code o} sees every request before its handler runs (on the handler's thread; its failures are logged, not answered). */
    public Router observer(java.util.function.Consumer<Request> o) {
        observers.add(o);
        return this;
    }

    void observe(Request r) {
        for (var o : observers) {
            try {
                o.accept(r);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Router.class).warn("observing {} {}: {}", r.method(), r.path(), e.toString());
            }
        }
    }

    /** Something of the routes' that lives as long as the server (closed with it). */
    public Router closeWithServer(AutoCloseable c) {
        closeables.add(c);
        return this;
    }

    /** Closes what {@link #closeWithServer} registered. */
    public void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Router.class).warn("closing {}: {}", c, e.toString());
            }
        }
    }

    public Router get(String path, Handler h) {
        return add("GET", path, h, Body.WHOLE);
    }

    public Router head(String path, Handler h) {
        return add("HEAD", path, h, Body.WHOLE);
    }

    public Router post(String path, Handler h) {
        return add("POST", path, h, Body.WHOLE);
    }

    public Router put(String path, Handler h) {
        return add("PUT", path, h, Body.WHOLE);
    }

    public Router delete(String path, Handler h) {
        return add("DELETE", path, h, Body.WHOLE);
    }

    public Router add(String method, String path, Handler h, Body body) {
        List<String> names = new ArrayList<>();
        StringBuilder re = new StringBuilder("^");
        Matcher m = PARAM.matcher(path);
        int last = 0;
        while (m.find()) {
            re.append(Pattern.quote(path.substring(last, m.start())));
            re.append(m.group(2).isEmpty() ? "([^/]+)" : "(.+)");
            names.add(m.group(1));
            last = m.end();
        }
        re.append(Pattern.quote(path.substring(last))).append("/?$");
        routes.add(new Route(method, Pattern.compile(re.toString()), names, h, body));
        return this;
    }

    /** Resolves a request line; throws docker's 400 (bad version) or 404 ("page not found"). */
    public Match resolve(String method, String uri) {
        String path = new QueryStringDecoder(uri).path();
        ApiVersion version = ApiVersion.MAX;
        Matcher v = VERSIONED.matcher(path);
        if (v.matches()) {
            version = ApiVersion.parse(v.group(1)).checkSupported();
            path = v.group(2);
        }
        boolean pathKnown = false;
        for (Route r : routes) {
            Matcher m = r.pattern.matcher(path);
            if (!m.matches()) continue;
            pathKnown = true;
            if (!r.method.equals(method)) continue;
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < r.names.size(); i++) params.put(r.names.get(i), m.group(i + 1));
            return new Match(r.handler, params, version, path, r.body);
        }
        if (pathKnown) throw new ApiError(405, "method " + method + " is not allowed on " + path);
        throw ApiError.notFound("page not found");
    }
}
