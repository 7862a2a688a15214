package dev.lmlab.interp.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.lmlab.interp.vectors.Orthogonalization.Result;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;

/** Gram–Schmidt on trait vectors: orthogonality, span, order, and the cosine matrices. */
class OrthogonalizationTest {

    private static final int WIDTH = 64;

    /** Correlated vectors, as trait directions of one model tend to be: a shared component plus noise. */
    private static Map<String, float[]> correlatedTraits(long seed, String... names) {
        Random random = new Random(seed);
        float[] shared = gaussian(random);
        Map<String, float[]> traits = new LinkedHashMap<>();
        for (String name : names) {
            float[] noise = gaussian(random);
            float[] trait = new float[WIDTH];
            for (int k = 0; k < WIDTH; k++) {
                trait[k] = 2 * shared[k] + noise[k];
            }
            traits.put(name, trait);
        }
        return traits;
    }

    private static float[] gaussian(Random random) {
        float[] vector = new float[WIDTH];
        for (int k = 0; k < WIDTH; k++) {
            vector[k] = (float) random.nextGaussian();
        }
        return vector;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0, aa = 0, bb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += (double) a[k] * b[k];
            aa += (double) a[k] * a[k];
            bb += (double) b[k] * b[k];
        }
        return dot / Math.sqrt(aa * bb);
    }

    private static SimpleMatrix columns(List<float[]> vectors) {
        SimpleMatrix matrix = new SimpleMatrix(vectors.get(0).length, vectors.size());
        for (int j = 0; j < vectors.size(); j++) {
            for (int k = 0; k < vectors.get(j).length; k++) {
                matrix.set(k, j, vectors.get(j)[k]);
            }
        }
        return matrix;
    }

    @Test
    void resultsArePairwiseOrthogonal() {
        List<String> order = List.of("openness", "warmth", "formality", "humour", "caution");
        Map<String, float[]> traits = correlatedTraits(1, "openness", "warmth", "formality", "humour", "caution");

        Result result = Orthogonalization.gramSchmidt(order, traits);

        for (int i = 0; i < order.size(); i++) {
            for (int j = 0; j < order.size(); j++) {
                if (i != j) {
                    double direct = cosine(
                            result.vectors().get(order.get(i)), result.vectors().get(order.get(j)));
                    assertThat(Math.abs(direct)).isLessThan(1e-6);
                    assertThat(Math.abs(result.cosinesAfter()[i][j])).isLessThan(1e-6);
                }
            }
        }
        assertThat(result.vectors().keySet()).containsExactlyElementsOf(order);
        assertThat(result.order()).isEqualTo(order);
    }

    @Test
    void firstVectorIsUnchanged() {
        Map<String, float[]> traits = correlatedTraits(2, "a", "b", "c");

        Result result = Orthogonalization.gramSchmidt(List.of("b", "a", "c"), traits);

        assertThat(result.vectors().get("b")).containsExactly(traits.get("b"));
        assertThat(result.retainedNorm().get("b")).isEqualTo(1.0);
    }

    @Test
    void handWorkedExampleInThePlane() {
        // b = (1,1) minus its projection on a = (1,0) leaves (0,1), a fraction 1/sqrt(2) of its norm
        Map<String, float[]> traits = Map.of("a", new float[] {1, 0}, "b", new float[] {1, 1});

        Result result = Orthogonalization.gramSchmidt(List.of("a", "b"), traits);

        assertThat(result.vectors().get("b")).containsExactly(0, 1);
        assertThat(result.retainedNorm().get("b")).isEqualTo(Math.sqrt(0.5), offset(1e-15));
        assertThat(result.cosinesBefore()[0][1]).isEqualTo(Math.sqrt(0.5), offset(1e-15));
        assertThat(result.cosinesAfter()[0][1]).isZero();
    }

    @Test
    void spanOfEachPrefixIsPreserved() {
        List<String> order = List.of("a", "b", "c", "d");
        Map<String, float[]> traits = correlatedTraits(3, "a", "b", "c", "d");

        Result result = Orthogonalization.gramSchmidt(order, traits);

        // for every prefix, the original vectors are reproduced by least squares on the orthogonalised ones
        for (int n = 1; n <= order.size(); n++) {
            List<String> prefix = order.subList(0, n);
            SimpleMatrix basis =
                    columns(prefix.stream().map(result.vectors()::get).toList()); // (D, n)
            SimpleMatrix originals = columns(prefix.stream().map(traits::get).toList()); // (D, n)

            SimpleMatrix fitted = basis.mult(basis.solve(originals)); // (D, n)

            assertThat(fitted.minus(originals).normF() / originals.normF()).isLessThan(1e-5);
        }
    }

    @Test
    void retainedNormMatchesResidualOverOriginal() {
        List<String> order = List.of("a", "b", "c");
        Map<String, float[]> traits = correlatedTraits(4, "a", "b", "c");

        Result result = Orthogonalization.gramSchmidt(order, traits);

        for (String name : order) {
            double ratio = columns(List.of(result.vectors().get(name))).normF()
                    / columns(List.of(traits.get(name))).normF();
            assertThat(result.retainedNorm().get(name)).isEqualTo(ratio, offset(1e-6));
        }
        // correlated traits lose most of their shared component after the first
        assertThat(result.retainedNorm().get("c")).isLessThan(0.9);
    }

    @Test
    void orderChangesTheResult() {
        Map<String, float[]> traits = correlatedTraits(5, "a", "b", "c");

        Result abc = Orthogonalization.gramSchmidt(List.of("a", "b", "c"), traits);
        Result cba = Orthogonalization.gramSchmidt(List.of("c", "b", "a"), traits);

        assertThat(abc.vectors().get("a")).containsExactly(traits.get("a"));
        assertThat(cosine(abc.vectors().get("a"), cba.vectors().get("a"))).isLessThan(0.9);
        assertThat(cosine(abc.vectors().get("c"), cba.vectors().get("c"))).isLessThan(0.9);
        assertThat(cba.order()).containsExactly("c", "b", "a");
    }

    @Test
    void cosineMatricesAreSymmetricWithUnitDiagonal() {
        List<String> order = List.of("a", "b", "c", "d");
        Map<String, float[]> traits = correlatedTraits(6, "a", "b", "c", "d");

        Result result = Orthogonalization.gramSchmidt(order, traits);

        for (double[][] cosines : List.of(result.cosinesBefore(), result.cosinesAfter())) {
            assertThat(cosines).hasDimensions(4, 4);
            for (int i = 0; i < 4; i++) {
                assertThat(cosines[i][i]).isEqualTo(1.0);
                for (int j = 0; j < 4; j++) {
                    assertThat(cosines[i][j]).isEqualTo(cosines[j][i]);
                }
            }
        }
    }

    @Test
    void cosinesBeforeMatchDirectComputation() {
        List<String> order = List.of("d", "a", "c", "b");
        Map<String, float[]> traits = correlatedTraits(7, "a", "b", "c", "d");

        Result result = Orthogonalization.gramSchmidt(order, traits);

        for (int i = 0; i < order.size(); i++) {
            for (int j = 0; j < order.size(); j++) {
                double direct = cosine(traits.get(order.get(i)), traits.get(order.get(j)));
                assertThat(result.cosinesBefore()[i][j]).isEqualTo(direct, offset(1e-12));
            }
        }
        // the shared component makes these traits strongly correlated before
        assertThat(result.cosinesBefore()[0][1]).isGreaterThan(0.5);
    }

    @Test
    void vectorsOutsideTheOrderAreIgnored() {
        Map<String, float[]> traits = correlatedTraits(8, "a", "b", "c");

        Result result = Orthogonalization.gramSchmidt(List.of("c", "a"), traits);

        assertThat(result.vectors()).containsOnlyKeys("c", "a");
        assertThat(result.cosinesBefore()).hasDimensions(2, 2);
    }

    @Test
    void dependentVectorIsRefusedByName() {
        Map<String, float[]> traits = new LinkedHashMap<>(correlatedTraits(9, "a", "b"));
        float[] mix = new float[WIDTH];
        for (int k = 0; k < WIDTH; k++) {
            mix[k] = 0.3f * traits.get("a")[k] - 0.7f * traits.get("b")[k];
        }
        traits.put("mix", mix);

        assertThatThrownBy(() -> Orthogonalization.gramSchmidt(List.of("a", "b", "mix"), traits))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'mix' lies (nearly) in the span of the vectors before it [a, b]");
        assertThatThrownBy(() -> Orthogonalization.gramSchmidt(
                        List.of("a", "twice"), Map.of("a", new float[] {1, 2}, "twice", new float[] {2, 4})))
                .hasMessageStartingWith("'twice' lies (nearly) in the span");
    }

    @Test
    void badInputsAreRefused() {
        Map<String, float[]> traits = Map.of(
                "a", new float[] {1, 0, 0},
                "b", new float[] {0, 1, 0},
                "short", new float[] {1, 1},
                "zero", new float[3],
                "nan", new float[] {1, Float.NaN, 0});

        assertThatThrownBy(() -> Orthogonalization.gramSchmidt(List.of("a", "missing"), traits))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no vector named 'missing'; known: [a, b, nan, short, zero]");
        assertThatThrownBy(() -> Orthogonalization.gramSchmidt(List.of("a", "b", "a"), traits))
                .hasMessage("'a' appears more than once in the order");
        assertThatThrownBy(() -> Orthogonalization.gramSchmidt(List.of("a", "short"), traits))
                .hasMessageStartingWith("'short' has width 2 but 'a' has width 3");
        assertThatThrownBy(() -> Orthogonalization.gramSchmidt(List.of("zero", "a"), traits))
                .hasMessageStartingWith("'zero' is a zero vector");
        assertThatThrownBy(() -> Orthogonalization.gramSchmidt(List.of("a", "nan"), traits))
                .hasMessage("'nan' has a non-finite component at index 1");
        assertThatThrownBy(() -> Orthogonalization.gramSchmidt(List.of(), traits))
                .hasMessage("the order names no vectors");
    }
}
