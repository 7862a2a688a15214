package dev.lmlab.interp.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The headline statistics at every hook, in layer order: where in depth the granularity axis forms and holds. */
final class LayerSweep {

    private LayerSweep() {}

    static List<Map<String, Object>> json(Map<String, ContrastFit> fits, String primaryHook) {
        double[] primaryAxis = fits.get(primaryHook).axis();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<String, ContrastFit> e : fits.entrySet()) {
            ContrastFit fit = e.getValue();
            Map<String, Object> layer = new LinkedHashMap<>();
            layer.put("hook", e.getKey());
            layer.put("width", fit.axis().length);
            layer.put("axis_norm", JsonValues.number(fit.axisNorm()));
            layer.put("cos_axis_pc1", JsonValues.magnitude(fit.cosAxisPc1()));
            layer.put("spearman_rho", JsonValues.number(fit.rho()));
            layer.put("explained_variance_ratio_pc1", JsonValues.number(fit.pc1Share()));
            layer.put("cos_with_primary_axis", JsonValues.number(cosWithPrimary(fit, primaryAxis)));
            out.add(layer);
        }
        return out;
    }

    /** NaN when the widths differ: axes in different spaces have no angle between them. */
    static double cosWithPrimary(ContrastFit fit, double[] primaryAxis) {
        return fit.axis().length == primaryAxis.length ? Vectors.cosine(fit.axis(), primaryAxis) : Double.NaN;
    }
}
