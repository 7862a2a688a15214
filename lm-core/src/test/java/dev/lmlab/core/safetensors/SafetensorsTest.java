package dev.lmlab.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.lmlab.core.checkpoint.CheckpointException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    private Path writeSample() {
        Path file = dir.resolve("sample.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt")
                .addFloats("w", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
                .addBfloat16("b", new long[] {3}, new float[] {1.5f, -2f, 3.140625f})
                .addLongs("ids", new long[] {2}, new long[] {7, Long.MAX_VALUE})
                .write(file);
        return file;
    }

    @Test
    void writtenTensorsReadBackWithTheirTypesShapesAndMetadata() throws Exception {
        Path file = writeSample();
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(headerLength % 8).isZero();
            assertThat(st.tensors().keySet()).containsExactly("w", "b", "ids");
            assertThat(st.metadata()).containsEntry("format", "pt");
            assertThat(st.require("w").shape()).containsExactly(2, 3);
            assertThat(st.readFloats("w")).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(st.readFloats("b")).containsExactly(1.5f, -2f, 3.140625f);
            assertThat(st.readLongs("ids")).containsExactly(7, Long.MAX_VALUE);
        }
    }

    @Test
    void loadsNdArraysWithBf16WidenedToFloat32() {
        try (SafetensorsFile st = SafetensorsFile.open(writeSample());
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray w = st.load(manager, "w");
            NDArray b = st.load(manager, "b");
            NDArray ids = st.load(manager, "ids");

            assertThat(w.getShape().getShape()).containsExactly(2, 3);
            assertThat(w.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(b.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(b.toFloatArray()).containsExactly(1.5f, -2f, 3.140625f);
            assertThat(ids.getDataType()).isEqualTo(DataType.INT64);
            assertThat(ids.toLongArray()).containsExactly(7, Long.MAX_VALUE);
        }
    }

    @Test
    void updatingALoadedTensorInPlaceNeverTouchesTheFile() throws Exception {
        Path file = writeSample();
        byte[] before = Files.readAllBytes(file);
        try (SafetensorsFile st = SafetensorsFile.open(file);
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray w = st.load(manager, "w");
            w.subi(manager.ones(w.getShape())); // what an optimizer step does to a weight

            assertThat(w.toFloatArray()).containsExactly(0, 1, 2, 3, 4, 5);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void tensorsLargerThanOneMappingAreReadInChunks() {

        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f;
        }
        Path file = dir.resolve("chunked.safetensors");
        new SafetensorsWriter().addFloats("big", new long[] {10, 100}, values).write(file);

        try (SafetensorsFile st = SafetensorsFile.open(file, 64);
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            assertThat(st.readFloats("big")).containsExactly(values);
            assertThat(st.load(manager, "big").toFloatArray()).containsExactly(values);
        }
    }

    @Test
    void tensorsBeyondTwoGigabytesOfFileAreReachable() throws Exception {
        // a sparse file: 3 GB of (unwritten) padding, then one small tensor
        long pad = 3_000_000_000L;
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + pad + "],\"data_offsets\":[0," + pad + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + pad + "," + (pad + 16) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("sparse.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            ByteBuffer head =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length);
            raf.write(head.array());
            raf.write(json);
            raf.setLength(8 + json.length + pad + 16);
            raf.seek(8 + json.length + pad);
            ByteBuffer tail = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            tail.asFloatBuffer().put(new float[] {1, -1, 0.25f, 42});
            raf.write(tail.array());
        }

        try (SafetensorsFile st = SafetensorsFile.open(file);
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            assertThat(st.readFloats("tail")).containsExactly(1, -1, 0.25f, 42);
            assertThat(st.load(manager, "tail").toFloatArray()).containsExactly(1, -1, 0.25f, 42);
            assertThat(st.require("pad").byteSize()).isEqualTo(pad);
        }
    }

    // ---- validation: each corruption is named before anything is allocated

    private Path withHeader(String json, int dataBytes) throws Exception {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path file = Files.createTempFile(dir, "bad", ".safetensors");
        Files.write(file, b.array());
        return file;
    }

    private static void assertRefused(Path file, String... fragments) {
        assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString())
                .satisfies(e -> {
                    for (String f : fragments) {
                        assertThat(e.getMessage()).contains(f);
                    }
                });
    }

    @Test
    void truncatedFilesAreRefused() throws Exception {
        Path good = writeSample();
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        Path cutHeader = dir.resolve("cut-header.safetensors");
        Files.write(cutHeader, java.util.Arrays.copyOf(bytes, 20));

        assertRefused(truncated, "'ids'", "outside");
        assertRefused(tiny, "3 bytes");
        assertRefused(cutHeader, "header length");
    }

    @Test
    void malformedHeadersAreRefusedWithTheTensorNamed() throws Exception {
        assertRefused(withHeader("not json at all", 0), "not valid JSON");
        assertRefused(withHeader("[1,2]", 0), "JSON object");
        assertRefused(
                withHeader("{\"x\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "'x'",
                "unsupported dtype");
        assertRefused(
                withHeader("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "'x'",
                "needs 12 bytes",
                "span 8");
        assertRefused(
                withHeader("{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8),
                "'x'",
                "non-negative");
        assertRefused(
                withHeader("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8),
                "'x'",
                "data_offsets");
        assertRefused(
                withHeader(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                        12),
                "'a'",
                "'b'",
                "overlap");
        assertRefused(withHeader("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__.k");
        assertRefused(
                withHeader(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296]," + "\"data_offsets\":[0,8]}}", 8),
                "'x'",
                "too large");
    }

    @Test
    void aHeaderLengthBeyondTheFileIsRefusedWithoutAllocating() throws Exception {
        Path file = dir.resolve("huge-header.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        Files.write(file, b.array());

        assertRefused(file, "header length " + Long.MAX_VALUE);
    }

    @Test
    void halfPrecisionConversionsMatchIeee() {
        assertThat(HalfFloats.toFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(HalfFloats.toFloat((short) 0xC000)).isEqualTo(-2.0f);
        assertThat(HalfFloats.toFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(HalfFloats.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(HalfFloats.toFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloats.toFloat((short) 0x7E00)).isNaN();
        for (float v : new float[] {0f, 1f, -1.5f, 0.1f, 3.14159f, 65504f, 6e-8f, -1e-5f}) {
            float back = HalfFloats.toFloat(HalfFloats.fromFloat(v));
            assertThat(back).isCloseTo(v, org.assertj.core.data.Offset.offset(Math.abs(v) * 1e-3f + 6e-8f));
        }
        assertThat(HalfFloats.toBfloat16(1.0f)).isEqualTo((short) 0x3F80);
        // 1 + 2^-8 is exactly halfway between two bfloat16 values: ties go to the even one (1.0)
        assertThat(HalfFloats.toBfloat16(1.00390625f)).isEqualTo((short) 0x3F80);
        assertThat(HalfFloats.toBfloat16(1.01171875f)).isEqualTo((short) 0x3F82);
    }
}
