package dev.lmlab.interp.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HeldOutSplitsTest {

    @Test
    void everySplitHalvesEachLevelAndKeepsBothEndsInBothHalves() {
        // levels of 2, 1, 3 and 5 labels
        int[] sizes = {2, 1, 3, 5};
        String[] labelOfRow = new String[Arrays.stream(sizes).sum()];
        Map<String, Integer> levelIndex = new HashMap<>();
        int row = 0;
        for (int level = 0; level < sizes.length; level++) {
            for (int i = 0; i < sizes[level]; i++) {
                labelOfRow[row] = "l" + level + "_" + i;
                levelIndex.put(labelOfRow[row], level);
                row++;
            }
        }
        double[][] rows = new double[labelOfRow.length][2];
        LabelMeans means = LabelMeans.of(rows, labelOfRow, levelIndex, null);

        boolean[] middleSingleSeenInFit = new boolean[2];
        for (int seed = 0; seed < 200; seed++) {
            int[][] halves = HeldOutSplits.halve(means, sizes.length, new SplittableRandom(seed));
            LabelMeans fit = means.subset(halves[0]);
            LabelMeans heldOut = means.subset(halves[1]);

            assertThat(IntStream.concat(Arrays.stream(halves[0]), Arrays.stream(halves[1]))
                            .sorted()
                            .toArray())
                    .containsExactly(IntStream.range(0, labelOfRow.length).toArray());
            for (LabelMeans half : new LabelMeans[] {fit, heldOut}) {
                assertThat(half.hasLevel(0)).isTrue();
                assertThat(half.hasLevel(3)).isTrue();
            }
            for (int level = 0; level < sizes.length; level++) {
                assertThat(Math.abs(fit.atLevel(level).length - heldOut.atLevel(level).length))
                        .isLessThanOrEqualTo(1);
            }
            middleSingleSeenInFit[fit.hasLevel(1) ? 1 : 0] = true;
        }
        // the lone label of level 1 lands on either side
        assertThat(middleSingleSeenInFit).containsExactly(true, true);
    }
}
