package io.jcontainer.linux.testing;

import io.jcontainer.linux.sys.NativeSyscalls;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** See {@link RequiresRoot}. */
public final class RootCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (NativeSyscalls.INSTANCE.geteuid() == 0) return ConditionEvaluationResult.enabled("running as root");
        if ("true".equals(System.getenv("CI")))
            throw new AssertionError("this test needs root, and CI must run it: run the suite as root (.ci/run does)");
        String why = "needs root (run the suite as root to include it)";
        System.err.println("SKIPPED " + context.getDisplayName() + ": " + why);
        return ConditionEvaluationResult.disabled(why);
    }
}
