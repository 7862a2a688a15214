package dev.lmlab.core.sae;

import dev.lmlab.core.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** SAELens folders written by hand, for trainers started from chosen weights. */
final class SaeFolders {

    private SaeFolders() {}

    /** W_enc (d_in, d_sae) and W_dec (d_sae, d_in) row-major, as SAELens stores them. */
    static Path write(Path folder, int dIn, int dSae, int k, float[] wEnc, float[] wDec, float[] bEnc, float[] bDec)
            throws IOException {
        Files.createDirectories(folder);
        Files.writeString(
                folder.resolve("cfg.json"),
                "{\"architecture\": \"topk\", \"d_in\": " + dIn + ", \"d_sae\": " + dSae + ", \"k\": " + k + "}");
        new SafetensorsWriter()
                .addFloats("W_enc", new long[] {dIn, dSae}, wEnc)
                .addFloats("W_dec", new long[] {dSae, dIn}, wDec)
                .addFloats("b_enc", new long[] {dSae}, bEnc)
                .addFloats("b_dec", new long[] {dIn}, bDec)
                .write(folder.resolve("sae_weights.safetensors"));
        return folder;
    }

    /** Rows of a (rows × cols) matrix as one row-major array. */
    static float[] flat(float[][] rows) {
        int cols = rows[0].length;
        float[] out = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * cols, cols);
        }
        return out;
    }
}
