package io.jcontainer.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link TestContainer} field that the extension starts and removes: a {@code static}
 * field once for its class (started before {@code @BeforeAll} methods run, removed after the
 * last {@code @AfterAll}), an instance field for each test (started before {@code @BeforeEach},
 * removed after {@code @AfterEach}). The annotation registers the extension by itself.
 *
 * <pre>{@code
 * class SortTest {
 *     @Sandbox
 *     static final TestContainer server = TestContainer.of(Container.builder()
 *             .command("sh", "-c", "echo ready; exec sleep 600"))
 *         .waitingFor(Wait.forLogLine("ready"));
 *
 *     @Test
 *     void answers() {
 *         assertThat(server.exec("echo", "hi").stdout()).isEqualTo("hi\n");
 *     }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@ExtendWith(ContainerExtension.class)
public @interface Sandbox {
}
