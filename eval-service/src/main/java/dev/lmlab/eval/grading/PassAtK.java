package dev.lmlab.eval.grading;

/**
 * Estimators over n sampled trials of an item of which c passed.
 *
 * <ul>
 *   <li>pass@k (Chen et al., unbiased): the chance that at least one of k trials drawn without replacement from
 *       the n passes, {@code 1 − C(n−c, k)/C(n, k)};
 *   <li>pass^k: the chance that all k pass, {@code C(c, k)/C(n, k)}.
 * </ul>
 *
 * Both are computed as running products, never as binomials, so they stay exact enough for any n.
 */
public final class PassAtK {

    private PassAtK() {}

    public static double passAtK(int n, int c, int k) {
        check(n, c, k);
        if (n - c < k) {
            return 1.0;
        }
        // C(n−c, k)/C(n, k) = Π_{i=0}^{k−1} (n−c−i)/(n−i)
        double allFail = 1.0;
        for (int i = 0; i < k; i++) {
            allFail *= (double) (n - c - i) / (n - i);
        }
        return 1.0 - allFail;
    }

    public static double passHatK(int n, int c, int k) {
        check(n, c, k);
        if (c < k) {
            return 0.0;
        }
        double allPass = 1.0;
        for (int i = 0; i < k; i++) {
            allPass *= (double) (c - i) / (n - i);
        }
        return allPass;
    }

    private static void check(int n, int c, int k) {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n) {
            throw new IllegalArgumentException("need 1 <= k <= n and 0 <= c <= n; got n=" + n + " c=" + c + " k=" + k);
        }
    }
}
