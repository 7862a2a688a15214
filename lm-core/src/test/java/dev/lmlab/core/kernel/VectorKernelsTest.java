package dev.lmlab.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The packed matrix-vector kernels against a plain double-precision loop, on awkward sizes. */
class VectorKernelsTest {

    @Test
    void everyBatchSizeAndRaggedShapeMatchesAPlainLoop() {
        SplittableRandom random = new SplittableRandom(3);
        // rows: less than one panel, several plus a remainder; cols: odd (the two-at-a-time loop's tail), even
        int[][] shapes = {{5, 7}, {VectorKernels.PANEL * 3 + 11, 33}, {VectorKernels.PANEL, 64}};
        for (int[] shape : shapes) {
            int rows = shape[0];
            int cols = shape[1];
            float[] w = randoms(random, rows * cols);
            VectorKernels.Panels panels = VectorKernels.pack(w, rows, cols);
            for (int batch = 1; batch <= 9; batch++) {
                float[] x = randoms(random, batch * cols);
                int stride = rows + 3; // outputs of one input need not be adjacent to the next's
                float[] out = new float[batch * stride];
                java.util.Arrays.fill(out, Float.NaN);

                VectorKernels.matvec(panels, x, batch, out, stride, 0, panels.count);

                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < rows; r++) {
                        double expected = 0;
                        for (int i = 0; i < cols; i++) {
                            expected += (double) w[r * cols + i] * x[b * cols + i];
                        }
                        assertThat(out[b * stride + r])
                                .as("rows %d cols %d batch %d: input %d row %d", rows, cols, batch, b, r)
                                .isCloseTo((float) expected, offset(1e-4f));
                    }
                    for (int r = rows; r < stride; r++) {
                        assertThat(out[b * stride + r])
                                .as("nothing written past the rows")
                                .isNaN();
                    }
                }
            }
        }
    }

    @Test
    void aPanelRangeComputesOnlyItsRowsAndRowsReadBackFromPanels() {
        int rows = VectorKernels.PANEL * 2 + 5;
        int cols = 9;
        float[] w = randoms(new SplittableRandom(4), rows * cols);
        VectorKernels.Panels panels = VectorKernels.pack(w, rows, cols);
        float[] x = randoms(new SplittableRandom(5), cols);
        float[] out = new float[rows];
        java.util.Arrays.fill(out, Float.NaN);

        VectorKernels.matvec(panels, x, 1, out, rows, 1, 2);

        for (int r = 0; r < rows; r++) {
            boolean inRange = r >= VectorKernels.PANEL && r < 2 * VectorKernels.PANEL;
            assertThat(Float.isNaN(out[r])).as("row %d", r).isEqualTo(!inRange);
        }
        float[] row = new float[cols];
        panels.row(rows - 1, row, 0);
        for (int i = 0; i < cols; i++) {
            assertThat(row[i]).isEqualTo(w[(rows - 1) * cols + i]);
        }
    }

    private static float[] randoms(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }
}
