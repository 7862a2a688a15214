package dev.lmlab.interp.vectors;

/** Mean-difference directions between two groups of rows, and how well they separate the groups. */
public final class Directions {

    private Directions() {}

    /** mean(rows[positive]) − mean(rows[negative]), in double precision. */
    public static double[] meanDifference(double[][] rows, int[] positive, int[] negative) {
        double[] a = mean(rows, positive);
        double[] b = mean(rows, negative);
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    public static double[] mean(double[][] rows, int[] which) {
        double[] m = new double[rows[which[0]].length];
        for (int r : which) {
            for (int i = 0; i < m.length; i++) {
                m[i] += rows[r][i];
            }
        }
        for (int i = 0; i < m.length; i++) {
            m[i] /= which.length;
        }
        return m;
    }

    public static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    public static double cosine(double[] a, double[] b) {
        double na = norm(a);
        double nb = norm(b);
        return na == 0 || nb == 0 ? 0 : dot(a, b) / (na * nb);
    }

    /** Projections of the rows on the unit vector along {@code direction}. */
    public static double[] project(double[][] rows, int[] which, double[] direction) {
        double n = norm(direction);
        double[] p = new double[which.length];
        for (int i = 0; i < which.length; i++) {
            p[i] = n == 0 ? 0 : dot(rows[which[i]], direction) / n;
        }
        return p;
    }

    /**
     * Cohen's d of the two groups' projections on the direction: the gap between the group means in units of their
     * pooled standard deviation (infinite when both groups project to single points). How cleanly the direction
     * separates what it was made from; on the rows it was fit on, an optimistic figure.
     */
    public static double separation(double[][] rows, int[] positive, int[] negative, double[] direction) {
        double[] a = project(rows, positive, direction);
        double[] b = project(rows, negative, direction);
        double ma = avg(a);
        double mb = avg(b);
        double pooled = Math.sqrt((ss(a, ma) + ss(b, mb)) / Math.max(1, a.length + b.length - 2));
        return pooled == 0 ? (ma == mb ? 0 : Double.POSITIVE_INFINITY * Math.signum(ma - mb)) : (ma - mb) / pooled;
    }

    public static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    public static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    static double avg(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    private static double ss(double[] v, double mean) {
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return s;
    }
}
