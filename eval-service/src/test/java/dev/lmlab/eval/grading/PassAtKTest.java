package dev.lmlab.eval.grading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class PassAtKTest {

    static final Offset<Double> EXACT = Offset.offset(1e-12);

    @Test
    void passAtKIsOneMinusTheChanceThatKDrawsWithoutReplacementAllFail() {
        // n = 5, c = 2: pass@1 = 2/5; pass@2 = 1 − C(3,2)/C(5,2) = 1 − 3/10; pass@3 = 1 − C(3,3)/C(5,3) = 1 − 1/10
        assertThat(PassAtK.passAtK(5, 2, 1)).isCloseTo(0.4, EXACT);
        assertThat(PassAtK.passAtK(5, 2, 2)).isCloseTo(0.7, EXACT);
        assertThat(PassAtK.passAtK(5, 2, 3)).isCloseTo(0.9, EXACT);
        assertThat(PassAtK.passAtK(5, 2, 4)).isEqualTo(1.0); // only 3 failures: 4 draws must include a pass
        assertThat(PassAtK.passAtK(8, 0, 8)).isEqualTo(0.0);
        assertThat(PassAtK.passAtK(8, 8, 1)).isEqualTo(1.0);
    }

    @Test
    void passHatKIsTheChanceThatAllKDrawsPass() {
        // n = 5, c = 3: pass^1 = 3/5; pass^2 = C(3,2)/C(5,2) = 3/10; pass^3 = 1/10; pass^4 = 0
        assertThat(PassAtK.passHatK(5, 3, 1)).isCloseTo(0.6, EXACT);
        assertThat(PassAtK.passHatK(5, 3, 2)).isCloseTo(0.3, EXACT);
        assertThat(PassAtK.passHatK(5, 3, 3)).isCloseTo(0.1, EXACT);
        assertThat(PassAtK.passHatK(5, 3, 4)).isEqualTo(0.0);
    }

    @Test
    void largeNStaysFiniteAndMonotoneInK() {
        double previous = 0;
        for (int k = 1; k <= 1000; k++) {
            double p = PassAtK.passAtK(1000, 3, k);
            assertThat(p).isFinite().isGreaterThanOrEqualTo(previous);
            previous = p;
        }
        assertThatThrownBy(() -> PassAtK.passAtK(4, 5, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PassAtK.passAtK(4, 1, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void answersMatchExactlyNormalisedOrAsAPrefix() {
        assertThat(AnswerMatch.EXACT.matches(" teal\n", "teal")).isTrue();
        assertThat(AnswerMatch.EXACT.matches("Teal", "teal")).isFalse();
        assertThat(AnswerMatch.NORMALIZED.matches("Teal!", "teal")).isTrue();
        assertThat(AnswerMatch.PREFIX.matches("teal and more", "teal")).isTrue();
        assertThat(AnswerMatch.PREFIX.matches("tea", "teal")).isFalse();
    }
}
