package io.jcontainer.junit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the {@link Container} fields of a test class and removes them again.
 *
 * <p>Static fields start in {@code beforeAll} (before the class's {@code @BeforeAll} methods,
 * since the annotation registers this extension on the field, which JUnit orders first) and
 * instance fields in {@code beforeEach}. Each started container is put in the JUnit store of the
 * context that started it as a closeable resource, so JUnit closes it when that context ends —
 * also after a failure or an aborted run, and in the order opposite to the starts. Containers
 * of different test classes or test instances are different objects: running tests in parallel
 * needs nothing more.
 *
 * <p>When a test (or a lifecycle method) fails, the last output of every container it could see
 * is added to the failure as a suppressed {@link ContainerLogs}, and published as a report entry.
 */
public final class ContainerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ContainerExtension.class);
    private static final int TAIL_CHARS = 8000;

    @Override
    public void beforeAll(ExtensionContext context) {
        startFields(context, null, context.getRequiredTestClass());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Object instance = context.getRequiredTestInstance();
        startFields(context, instance, instance.getClass());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // The store closes them when this test's context ends; nothing to do earlier.
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // Likewise for the class's context.
    }

    /** Starts every {@code @Sandbox} field of {@code type} (and its superclasses) that is static exactly when {@code instance} is null. */
    private static void startFields(ExtensionContext context, Object instance, Class<?> type) {
        for (Field f : containerFields(type)) {
            boolean isStatic = Modifier.isStatic(f.getModifiers());
            if (isStatic != (instance == null)) continue;
            TestContainer container = read(f, instance);
            container.label(f.getDeclaringClass().getSimpleName() + "." + f.getName());
            // In the store before the start: a start that fails half way is still closed by JUnit.
            context.getStore(NS).put(key(f, instance), new Started(container));
            container.start();
        }
    }

    private static String key(Field f, Object instance) {
        return f.getDeclaringClass().getName() + "#" + f.getName() + (instance == null ? "" : "@" + System.identityHashCode(instance));
    }

    private static List<Field> containerFields(Class<?> type) {
        List<Field> out = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!f.isAnnotationPresent(Sandbox.class)) continue;
                if (!TestContainer.class.isAssignableFrom(f.getType()))
                    throw new ExtensionConfigurationException("@Sandbox field " + c.getSimpleName() + "." + f.getName()
                            + " must be of type TestContainer, not " + f.getType().getSimpleName());
                out.add(f);
            }
        }
        return out;
    }

    private static TestContainer read(Field f, Object instance) {
        try {
            f.setAccessible(true);
            Object v = f.get(instance);
            if (v == null)
                throw new ExtensionConfigurationException("@Sandbox field " + f.getDeclaringClass().getSimpleName() + "."
                        + f.getName() + " is null: initialise it with TestContainer.of(...)");
            return (TestContainer) v;
        } catch (IllegalAccessException | RuntimeException e) {
            if (e instanceof ExtensionConfigurationException x) throw x;
            throw new ExtensionConfigurationException("cannot read @Sandbox field " + f.getName() + ": " + e, e);
        }
    }

    /** A field's container while it runs: closing it (JUnit does, at the end of its context) removes it. */
    private record Started(TestContainer running) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            running.close();
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLogs(context, throwable);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLogs(context, throwable);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLogs(context, throwable);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLogs(context, throwable);
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLogs(context, throwable);
    }

    /** Adds the output of every container visible from {@code context} (its own, its parents') to {@code failure}. */
    private static Throwable withLogs(ExtensionContext context, Throwable failure) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Class<?> type = c.getTestClass().orElse(null);
            if (type == null) continue;
            Object instance = c.getTestInstance().orElse(null);
            for (Field f : containerFields(type)) {
                boolean isStatic = Modifier.isStatic(f.getModifiers());
                Object key = key(f, isStatic ? null : instance);
                Started s = c.getStore(NS).get(key, Started.class);
                if (s == null || (!isStatic && instance == null)) continue;
                String tail = s.running().logTail(TAIL_CHARS);
                String name = s.running().name();
                failure.addSuppressed(new ContainerLogs(name, tail));
                context.publishReportEntry("container " + name, tail.isEmpty() ? "(no output)" : tail);
            }
        }
        return failure;
    }

    /** Not an error of its own: carries a container's last output on a failing test's exception. */
    public static final class ContainerLogs extends Exception {
        ContainerLogs(String container, String tail) {
            super("output of " + container + (tail.isEmpty() ? ": (none)" : ":\n" + tail), null, false, false);
        }
    }
}
