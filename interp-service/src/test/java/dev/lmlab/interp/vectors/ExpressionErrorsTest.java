package dev.lmlab.interp.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Every way an expression is refused, with the position the caret points at. */
class ExpressionErrorsTest {

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefusedAt(String text, int position) {
        return assertThatThrownBy(() -> VectorExpression.parse(text))
                .isInstanceOfSatisfying(
                        ExpressionException.class, e -> assertThat(e.position()).isEqualTo(position));
    }

    @Test
    void messageQuotesTheTextWithACaretUnderThePosition() {
        assertRefusedAt("1.5*openness )", 13).hasMessage("unexpected ')' at 13:\n  1.5*openness )\n               ^");
    }

    @Test
    void longTextIsQuotedAroundThePositionOnly() {
        String text = "a + ".repeat(30) + "#" + " + a".repeat(30);

        assertRefusedAt(text, 120)
                .hasMessage("unexpected character '#' at 120:\n"
                        + "  ..." + text.substring(80, 160) + "...\n"
                        + "  " + " ".repeat(43) + "^");
    }

    @Test
    void tabsAndNewlinesAreQuotedAsSpacesSoTheCaretLinesUp() {
        assertRefusedAt("a\t+\n#", 4).hasMessage("unexpected character '#' at 4:\n  a + #\n      ^");
    }

    @Test
    void emptyExpression() {
        assertRefusedAt("", 0).hasMessageStartingWith("empty expression");
        assertRefusedAt("  \t ", 0).hasMessageStartingWith("empty expression");
        assertRefusedAt(null, 0).hasMessageStartingWith("empty expression");
    }

    @Test
    void unexpectedCharacter() {
        assertRefusedAt("a + #b", 4).hasMessageStartingWith("unexpected character '#' at 4");
        assertRefusedAt("a ^ 2", 2).hasMessageStartingWith("unexpected character '^'");
        assertRefusedAt("a + é", 4).hasMessageStartingWith("unexpected character 'é'");
        assertRefusedAt("a + \0", 4).hasMessageStartingWith("unexpected character U+0000");
        assertRefusedAt("a + . ", 4).hasMessageStartingWith("unexpected character '.'");
    }

    @Test
    void unexpectedEnd() {
        assertRefusedAt("a +", 3).hasMessageStartingWith("unexpected end of expression at 3");
        assertRefusedAt("2 * ", 4).hasMessageStartingWith("unexpected end of expression");
        assertRefusedAt("-", 1).hasMessageStartingWith("unexpected end of expression");
        assertRefusedAt("(", 1).hasMessageStartingWith("unexpected end of expression");
    }

    @Test
    void unexpectedToken() {
        assertRefusedAt("a b", 2).hasMessageStartingWith("unexpected 'b'");
        assertRefusedAt("a 2", 2).hasMessageStartingWith("unexpected '2'");
        assertRefusedAt("a(b)", 1).hasMessageStartingWith("unexpected '('");
        assertRefusedAt("a * * b", 4).hasMessageStartingWith("unexpected '*'");
        assertRefusedAt("(a b)", 3).hasMessageStartingWith("unexpected 'b'");
    }

    @Test
    void unbalancedParentheses() {
        assertRefusedAt("(a + b", 0).hasMessageStartingWith("'(' is never closed at 0");
        assertRefusedAt("2 * ((a + b) - c", 4).hasMessageStartingWith("'(' is never closed");
        assertRefusedAt("a + b)", 5).hasMessageStartingWith("unexpected ')'");
        assertRefusedAt("(a))", 3).hasMessageStartingWith("unexpected ')'");
        assertRefusedAt("()", 1).hasMessageStartingWith("unexpected ')'");
    }

    @Test
    void malformedNumbers() {
        assertRefusedAt("1.2.3 * a", 0).hasMessageStartingWith("malformed number '1.2.3' at 0");
        assertRefusedAt("a * 1.", 4).hasMessageStartingWith("malformed number '1.'");
        assertRefusedAt("a * 2e", 4).hasMessageStartingWith("malformed number '2e'");
        assertRefusedAt("a * 2e+", 4).hasMessageStartingWith("malformed number '2e+'");
        assertRefusedAt("3a", 0).hasMessageStartingWith("malformed number '3a'");
        assertRefusedAt("1e999 * a", 0).hasMessageStartingWith("number '1e999' is out of range");
    }

    @Test
    void multiplyingTwoVectorsIsRefusedAtTheOperator() {
        assertRefusedAt("a * b", 2).hasMessageStartingWith("cannot multiply two vectors");
        assertRefusedAt("2*a + (a - b)*(c)", 13).hasMessageStartingWith("cannot multiply two vectors");
    }

    @Test
    void dividingByAVectorIsRefusedAtTheOperator() {
        assertRefusedAt("2 / a", 2).hasMessageStartingWith("cannot divide by a vector");
        assertRefusedAt("a / b", 2).hasMessageStartingWith("cannot divide by a vector");
    }

    @Test
    void mixingScalarsAndVectorsInASumIsRefusedAtTheOperator() {
        assertRefusedAt("a + 1", 2).hasMessageStartingWith("cannot add a vector and a scalar");
        assertRefusedAt("1 + a", 2).hasMessageStartingWith("cannot add a scalar and a vector");
        assertRefusedAt("a - 0.5", 2).hasMessageStartingWith("cannot subtract a scalar from a vector");
        assertRefusedAt("2*a + b - (1 - 3)", 8).hasMessageStartingWith("cannot subtract a scalar from a vector");
    }

    @Test
    void divisionByZeroIsRefusedAtTheOperator() {
        assertRefusedAt("a / 0", 2).hasMessageStartingWith("division by zero");
        assertRefusedAt("a / (1 - 1)", 2).hasMessageStartingWith("division by zero");
        assertRefusedAt("a * (1 / 0.0)", 7).hasMessageStartingWith("division by zero");
    }

    @Test
    void scalarResultIsRefused() {
        assertRefusedAt("1.5 + 2", 0).hasMessageStartingWith("the expression is a scalar");
        assertRefusedAt("(3)", 0).hasMessageStartingWith("the expression is a scalar");
    }

    @Test
    void nonFiniteCoefficientIsRefusedAtTheOperator() {
        assertRefusedAt("1e300 * 1e300 * a", 6).hasMessageStartingWith("the result of '*' is not a finite number");
        assertRefusedAt("a / 1e-300 / 1e-300", 11).hasMessageStartingWith("the result of '/' is not a finite number");
        assertRefusedAt("1e308*a + 1e308*a", 8).hasMessageStartingWith("the result of '+' is not a finite number");
    }

    @Test
    void textLongerThan2000CharactersIsRefused() {
        String ok = "a" + " + a".repeat(499) + "   "; // 1 + 4*499 + 3 = 2000 characters
        assertThat(ok).hasSize(2000);
        assertThat(VectorExpression.parse(ok).coefficients()).containsExactly(Map.entry("a", 500.0));

        assertRefusedAt(ok + " ", 2000).hasMessageStartingWith("expression has 2001 characters; the limit is 2000");
    }

    @Test
    void moreThan64DistinctNamesAreRefusedAtThe65th() {
        String sixtyFour = IntStream.range(0, 64).mapToObj(i -> "v" + i).collect(Collectors.joining(" + "));
        assertThat(VectorExpression.parse(sixtyFour + " + v0").names()).hasSize(64);

        String text = sixtyFour + " + v0 + v64";
        assertRefusedAt(text, text.length() - 3).hasMessageStartingWith("more than 64 distinct vector names");
    }

    @Test
    void nestingDeeperThan64IsRefusedAtThe65thParenthesis() {
        assertThat(VectorExpression.parse("(".repeat(64) + "a" + ")".repeat(64)).names())
                .containsExactly("a");

        assertRefusedAt("(".repeat(65) + "a" + ")".repeat(65), 64)
                .hasMessageStartingWith("parentheses nest deeper than 64");
        assertRefusedAt("2*" + "(-".repeat(999), 2 + 64 * 2).hasMessageStartingWith("parentheses nest deeper than 64");
    }

    @Test
    void longRunsOfSignsDoNotRecurse() {
        assertThat(VectorExpression.parse("-".repeat(1999) + "a").coefficients())
                .containsExactly(Map.entry("a", -1.0));
    }

    @Test
    void vectorsOfDifferentWidthsAreRefusedNamingBoth() {
        VectorExpression expression = VectorExpression.parse("openness + 2*formality");
        Map<String, float[]> vectors = Map.of("openness", new float[4], "formality", new float[3]);

        assertThatThrownBy(() -> expression.evaluate(vectors::get))
                .isInstanceOfSatisfying(
                        ExpressionException.class, e -> assertThat(e.position()).isEqualTo(13))
                .hasMessageStartingWith(
                        "'formality' has width 3 but 'openness' has width 4; vectors must have the same width");
    }

    @Test
    void nonFiniteResultsAreRefusedAtEvaluation() {
        Map<String, float[]> vectors = Map.of("a", new float[] {3e38f, 1}, "b", new float[] {1, Float.NaN});

        assertThatThrownBy(() -> VectorExpression.parse("a + a").evaluate(vectors::get))
                .isInstanceOf(ExpressionException.class)
                .hasMessageStartingWith("the result overflows float at component 0");
        assertThatThrownBy(() -> VectorExpression.parse("a - 0*b").evaluate(vectors::get))
                .isInstanceOfSatisfying(
                        ExpressionException.class, e -> assertThat(e.position()).isEqualTo(6))
                .hasMessageStartingWith("vector 'b' has a non-finite component at index 1");
    }
}
