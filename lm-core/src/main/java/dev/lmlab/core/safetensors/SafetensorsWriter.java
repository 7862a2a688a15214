package dev.lmlab.core.safetensors;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the safetensors format: tensors in the order added, the header padded with spaces to a multiple of 8
 * bytes. The file appears atomically (written next to the target, then moved), so a crash never leaves a
 * half-written checkpoint under the real name.
 */
public final class SafetensorsWriter {

    private record Entry(String name, DType dtype, long[] shape, ByteBuffer data) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds raw little-endian bytes of {@code dtype} elements. */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, ByteBuffer data) {
        long elements = 1;
        for (long d : shape) {
            elements = Math.multiplyExact(elements, d);
        }
        long expected = elements * dtype.bytes();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + java.util.Arrays.toString(shape)
                    + " needs " + expected + " bytes, got " + data.remaining());
        }
        if (entries.stream().anyMatch(e -> e.name.equals(name))) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        entries.add(new Entry(name, dtype, shape.clone(), data.duplicate().order(ByteOrder.LITTLE_ENDIAN)));
        return this;
    }

    public SafetensorsWriter addFloats(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return add(name, DType.F32, shape, b);
    }

    /** Floats stored as bfloat16 (rounded to nearest even), the way most published checkpoints ship. */
    public SafetensorsWriter addBfloat16(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort(HalfFloats.toBfloat16(v));
        }
        return add(name, DType.BF16, shape, b.flip());
    }

    public SafetensorsWriter addLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return add(name, DType.I64, shape, b);
    }

    /** An NDArray as it is: FLOAT32, FLOAT16, INT64, INT32, INT8, UINT8 or BOOLEAN. */
    public SafetensorsWriter add(String name, NDArray array) {
        DType dtype = switch (array.getDataType()) {
            case FLOAT32 -> DType.F32;
            case FLOAT16 -> DType.F16;
            case FLOAT64 -> DType.F64;
            case INT64 -> DType.I64;
            case INT32 -> DType.I32;
            case INT8 -> DType.I8;
            case UINT8 -> DType.U8;
            case BOOLEAN -> DType.BOOL;
            default ->
                throw new IllegalArgumentException(
                        "tensor '" + name + "': cannot write " + array.getDataType() + "; convert it to FLOAT32 first");
        };
        return add(
                name, dtype, array.getShape().getShape(), array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    public void write(Path target) {
        ObjectNode header = JsonMapper.shared().createObjectNode();
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode node = header.putObject(e.name);
            node.put("dtype", e.dtype.name());
            ArrayNode shape = node.putArray("shape");
            for (long d : e.shape) {
                shape.add(d);
            }
            ArrayNode offsets = node.putArray("data_offsets");
            offsets.add(offset);
            offset += e.data.remaining();
            offsets.add(offset);
        }
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        byte[] json = JsonMapper.shared().writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, "." + target.getFileName(), ".partial");
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                writeFully(out, head);
                for (Entry e : entries) {
                    writeFully(out, e.data.duplicate());
                }
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
