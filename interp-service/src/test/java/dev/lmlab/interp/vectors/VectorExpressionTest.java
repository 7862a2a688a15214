package dev.lmlab.interp.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Parsing and evaluating steering-vector expressions, against sums worked out by hand. */
class VectorExpressionTest {

    private static final Map<String, float[]> TRAITS = Map.of(
            "openness", new float[] {1, 2, 3},
            "agreeableness", new float[] {4, 0, -2},
            "neuroticism", new float[] {0.5f, -1, 2},
            "warmth", new float[] {3, 6, 9},
            "formality", new float[] {2, 2, 0},
            "a", new float[] {1, 0, 0},
            "b", new float[] {0, 1, 0},
            "c", new float[] {0, 0, 1},
            "big5.openness", new float[] {1, 1, 1});

    private static float[] evaluate(String text) {
        return VectorExpression.parse(text).evaluate(TRAITS::get);
    }

    @Test
    void weightedSumOfTraits() {
        // 1.5*(1,2,3) + 0.5*(4,0,-2) - (0.5,-1,2) = (1.5+2-0.5, 3+0+1, 4.5-1-2)
        assertThat(evaluate("1.5*openness + 0.5*agreeableness - neuroticism"))
                .containsExactly(new float[] {3, 4, 1.5f}, offset(1e-6f));
    }

    @Test
    void parenthesesGroupBeforeScalingAndDividing() {
        // 2 * ((3,6,9) - (1,1,0)) / 3 = 2 * (2,5,9) / 3
        assertThat(evaluate("2 * (warmth - 0.5 * formality) / 3"))
                .containsExactly(new float[] {4f / 3, 10f / 3, 6}, offset(1e-6f));
    }

    @Test
    void unaryMinusNegatesAndSignsCompose() {
        assertThat(evaluate("-openness")).containsExactly(-1, -2, -3);
        assertThat(evaluate("--openness")).containsExactly(1, 2, 3);
        assertThat(evaluate("+-+openness")).containsExactly(-1, -2, -3);
        assertThat(evaluate("-(a - b)")).containsExactly(-1, 1, 0);
        assertThat(evaluate("2 * -a")).containsExactly(-2, 0, 0);
        assertThat(evaluate("-2 * a")).containsExactly(-2, 0, 0);
    }

    @Test
    void numberForms() {
        assertThat(evaluate("openness * 2e-1")).containsExactly(new float[] {0.2f, 0.4f, 0.6f}, offset(1e-7f));
        assertThat(evaluate("1E+2 * a")).containsExactly(100, 0, 0);
        assertThat(evaluate(".5 * a")).containsExactly(0.5f, 0, 0);
        assertThat(evaluate("2e-3 * a")).containsExactly(0.002f, 0, 0);
        assertThat(evaluate("1.5e2 * a / 3")).containsExactly(50, 0, 0);
    }

    @Test
    void subtractionIsLeftAssociative() {
        // (a - b) - c, not a - (b - c) = (1, -1, 1)
        assertThat(evaluate("a - b - c")).containsExactly(1, -1, -1);
    }

    @Test
    void divisionAndMultiplicationAreLeftAssociative() {
        // ((8 / 2) / 2) * a = 2a, not 8 / (2 / (2a)) or 8 / 2 / (2a)
        assertThat(evaluate("8/2/2*a")).containsExactly(2, 0, 0);
        assertThat(evaluate("a / 2 * 4")).containsExactly(2, 0, 0);
    }

    @Test
    void multiplicationBindsTighterThanAddition() {
        assertThat(evaluate("a + 2*b - c*3")).containsExactly(1, 2, -3);
        assertThat(evaluate("(a + b) * 2")).containsExactly(2, 2, 0);
    }

    @Test
    void whitespaceAnywhereIsIgnored() {
        assertThat(evaluate(" \t1.5 *\n openness\r\n")).containsExactly(1.5f, 3, 4.5f);
        assertThat(evaluate("1.5*openness-neuroticism")).containsExactly(1, 4, 2.5f);
    }

    @Test
    void dottedNames() {
        VectorExpression expression = VectorExpression.parse("big5.openness - a");

        assertThat(expression.names()).containsExactly("big5.openness", "a");
        assertThat(expression.evaluate(TRAITS::get)).containsExactly(0, 1, 1);
    }

    @Test
    void namesAreDistinctInOrderOfFirstUse() {
        VectorExpression expression = VectorExpression.parse("c - (b + c) * 2 + a - b");

        assertThat(expression.names()).containsExactly("c", "b", "a");
    }

    @Test
    void coefficientsMergeRepeatedNames() {
        Map<String, Double> coefficients =
                VectorExpression.parse("a - 0.5*(a - b)").coefficients();

        assertThat(coefficients).containsOnlyKeys("a", "b");
        assertThat(coefficients.get("a")).isEqualTo(0.5, offset(1e-15));
        assertThat(coefficients.get("b")).isEqualTo(0.5, offset(1e-15));
    }

    @Test
    void coefficientsAreComputedThroughNestedScalingAndDivision() {
        // 2 * (warmth - 0.5*formality) / 3 = (2/3) warmth - (1/3) formality
        Map<String, Double> coefficients =
                VectorExpression.parse("2 * (warmth - 0.5 * formality) / 3").coefficients();

        assertThat(coefficients.keySet()).containsExactly("warmth", "formality");
        assertThat(coefficients.get("warmth")).isEqualTo(2.0 / 3, offset(1e-15));
        assertThat(coefficients.get("formality")).isEqualTo(-1.0 / 3, offset(1e-15));
    }

    @Test
    void cancellingTermsLeaveAZeroCoefficientAndAZeroVector() {
        VectorExpression expression = VectorExpression.parse("a - a + b");

        assertThat(expression.coefficients()).containsExactly(Map.entry("a", 0.0), Map.entry("b", 1.0));
        assertThat(expression.evaluate(TRAITS::get)).containsExactly(0, 1, 0);
        assertThat(VectorExpression.parse("a - a").evaluate(TRAITS::get)).containsExactly(0, 0, 0);
    }

    @Test
    void canonicalFormWritesEveryCoefficient() {
        assertThat(VectorExpression.parse("1.5*openness + 0.5*agreeableness - neuroticism")
                        .canonical())
                .isEqualTo("1.5*openness + 0.5*agreeableness - 1*neuroticism");
        assertThat(VectorExpression.parse("-openness").canonical()).isEqualTo("-1*openness");
        assertThat(VectorExpression.parse("a - 0.5*(a - b) - 2*c").canonical()).isEqualTo("0.5*a + 0.5*b - 2*c");
        assertThat(VectorExpression.parse("0*a - b").canonical()).isEqualTo("0*a - 1*b");
        assertThat(VectorExpression.parse("a * 1e-7").canonical()).isEqualTo("1.0E-7*a");
    }

    @Test
    void canonicalFormParsesToTheSameCoefficients() {
        VectorExpression original = VectorExpression.parse("2 * (warmth - 0.5 * formality) / 3 + -a * 1e-7 + 1e20*b");

        VectorExpression reparsed = VectorExpression.parse(original.canonical());

        assertThat(reparsed.coefficients()).isEqualTo(original.coefficients());
        assertThat(reparsed.canonical()).isEqualTo(original.canonical());
    }

    @Test
    void resolvesEachNameOnce() {
        VectorExpression expression = VectorExpression.parse("a - 0.5*(a - b) + a/4");
        Map<String, Integer> calls = new HashMap<>();
        Function<String, float[]> countingResolver = name -> {
            calls.merge(name, 1, Integer::sum);
            return TRAITS.get(name);
        };

        assertThat(expression.evaluate(countingResolver)).containsExactly(0.75f, 0.5f, 0);
        assertThat(calls).containsOnly(Map.entry("a", 1), Map.entry("b", 1));
    }

    @Test
    void resolverExceptionForAnUnknownNamePassesThrough() {
        VectorExpression expression = VectorExpression.parse("openness + missing");

        assertThatThrownBy(() -> expression.evaluate(name -> {
                    if (!TRAITS.containsKey(name)) {
                        throw new NoSuchElementException("no steering vector " + name);
                    }
                    return TRAITS.get(name);
                }))
                .isInstanceOf(NoSuchElementException.class)
                .hasMessage("no steering vector missing");
    }

    @Test
    void resolverReturningNullIsReportedAtTheName() {
        VectorExpression expression = VectorExpression.parse("openness + missing");

        assertThatThrownBy(() -> expression.evaluate(TRAITS::get))
                .isInstanceOfSatisfying(
                        ExpressionException.class, e -> assertThat(e.position()).isEqualTo(11))
                .hasMessageStartingWith("no vector named 'missing' at 11:");
    }
}
