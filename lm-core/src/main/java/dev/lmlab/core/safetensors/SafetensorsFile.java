package dev.lmlab.core.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lmlab.core.checkpoint.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A safetensors file, memory-mapped. The header is validated completely before anything is allocated: its
 * length against the file, every dtype, shape and byte range, and that no two tensors overlap. Tensors are read
 * on demand; files and tensors beyond 2 GB are mapped in chunks.
 *
 * <p>BF16 tensors are widened to F32 as they are loaded, because a BFLOAT16 NDArray aborts the PyTorch engine of
 * DJL; F16 and F64 become F32 too, so every floating-point weight arrives as F32.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Headers larger than this are refused (the format's reference implementation uses the same bound). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final JsonMapper JSON = JsonMapper.shared();

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final int chunkBytes;
    /** Copy-on-write mapping: tensors made from it may be updated in place without touching the file. */
    private final boolean privateMapping;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata,
            int chunkBytes,
            boolean privateMapping) {
        this.privateMapping = privateMapping;
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
        this.chunkBytes = chunkBytes;
    }

    public static SafetensorsFile open(Path path) {
        return open(path, Integer.MAX_VALUE - 8);
    }

    /** Opens with a smaller mapping chunk (tests exercise the chunked path without multi-gigabyte files). */
    static SafetensorsFile open(Path path, int chunkBytes) {
        FileChannel channel;
        boolean privateMapping = false;
        try {
            // a private (copy-on-write) mapping needs a writable channel; nothing is ever written to the file
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            privateMapping = true;
        } catch (IOException | UnsupportedOperationException e) {
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            } catch (IOException again) {
                throw new CheckpointException(path, "cannot open safetensors file: " + again.getMessage(), again);
            }
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw new CheckpointException(
                        path, "file is " + size + " bytes; a safetensors file starts with an 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            long limit = Math.min(MAX_HEADER_BYTES, size - 8);
            if (headerLength < 2 || headerLength > limit) {
                throw new CheckpointException(
                        path,
                        "header length " + headerLength + " is outside 2.." + limit + " (file size " + size
                                + "): truncated or not a safetensors file");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            String text = decodeUtf8(path, header.flip());
            long dataSize = size - 8 - headerLength;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, text, dataSize, metadata);
            return new SafetensorsFile(path, channel, 8 + headerLength, tensors, metadata, chunkBytes, privateMapping);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new CheckpointException(path, "cannot read safetensors header: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(
            Path path, String text, long dataSize, Map<String, String> metadataOut) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new CheckpointException(path, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(path, "header must be a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode entry = field.getValue();
            if (name.equals("__metadata__")) {
                if (!entry.isObject()) {
                    throw new CheckpointException(path, "__metadata__ must be an object of strings");
                }
                entry.properties().forEach(m -> {
                    if (!m.getValue().isString()) {
                        throw new CheckpointException(path, "__metadata__." + m.getKey() + " must be a string");
                    }
                    metadataOut.put(m.getKey(), m.getValue().asString());
                });
                continue;
            }
            tensors.put(name, parseEntry(path, name, entry, dataSize));
        }
        checkNoOverlaps(path, tensors.values());
        return Collections.unmodifiableMap(tensors);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode entry, long dataSize) {
        if (!entry.isObject()) {
            throw new CheckpointException(path, "tensor '" + name + "': entry must be an object");
        }
        DType dtype = DType.parse(entry.path("dtype").asString(null));
        if (dtype == null) {
            throw new CheckpointException(
                    path,
                    "tensor '" + name + "': unsupported dtype " + entry.path("dtype") + " (expected one of "
                            + java.util.Arrays.toString(DType.values()) + ")");
        }
        JsonNode shapeNode = entry.path("shape");
        if (!shapeNode.isArray()) {
            throw new CheckpointException(path, "tensor '" + name + "': shape must be an array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || d.asLong() < 0) {
                throw new CheckpointException(
                        path, "tensor '" + name + "': shape " + shapeNode + " must hold non-negative integers");
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = entry.path("data_offsets");
        if (!offsets.isArray()
                || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber()
                || !offsets.get(1).isIntegralNumber()) {
            throw new CheckpointException(path, "tensor '" + name + "': data_offsets must be [begin, end]");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new CheckpointException(
                    path,
                    "tensor '" + name + "': data_offsets [" + begin + ", " + end + "] fall outside the " + dataSize
                            + "-byte data section (file truncated?)");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(info.elements(), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new CheckpointException(path, "tensor '" + name + "': shape " + info.shapeString() + " is too large");
        }
        if (expected != end - begin) {
            throw new CheckpointException(
                    path,
                    "tensor '" + name + "': " + dtype + info.shapeString() + " needs " + expected
                            + " bytes but data_offsets span " + (end - begin));
        }
        return info;
    }

    private static void checkNoOverlaps(Path path, java.util.Collection<TensorInfo> all) {
        List<TensorInfo> sorted = new ArrayList<>(all);
        sorted.removeIf(t -> t.byteSize() == 0);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo previous = sorted.get(i - 1);
            TensorInfo current = sorted.get(i);
            if (current.begin() < previous.end()) {
                throw new CheckpointException(
                        path,
                        "tensors '" + previous.name() + "' and '" + current.name()
                                + "' overlap (" + previous.begin() + ".." + previous.end() + " and " + current.begin()
                                + ".." + current.end() + ")");
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Every tensor, in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    public TensorInfo require(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(path, "has no tensor '" + name + "'");
        }
        return t;
    }

    /**
     * Loads a tensor into {@code manager}: floating-point types as FLOAT32, integers as INT64/INT32, bytes as
     * UINT8/BOOLEAN.
     */
    public NDArray load(NDManager manager, String name) {
        TensorInfo t = require(name);
        Shape shape = new Shape(t.shape());
        return switch (t.dtype()) {
            case F32 -> floatArray(manager, t, shape);
            case BF16, F16, F64 -> manager.create(readFloats(t), shape);
            case I64 -> raw(manager, t, shape, DataType.INT64);
            case I32 -> raw(manager, t, shape, DataType.INT32);
            case I16, I8 -> manager.create(readInts(t), shape);
            case U8 -> raw(manager, t, shape, DataType.UINT8);
            case BOOL -> raw(manager, t, shape, DataType.BOOLEAN);
        };
    }

    /** A F32 tensor straight from the mapping when it fits one chunk, else assembled from chunks. */
    private NDArray floatArray(NDManager manager, TensorInfo t, Shape shape) {
        if (t.byteSize() <= chunkBytes) {
            return raw(manager, t, shape, DataType.FLOAT32);
        }
        return manager.create(readFloats(t), shape);
    }

    private NDArray raw(NDManager manager, TensorInfo t, Shape shape, DataType type) {
        if (t.byteSize() > chunkBytes) {
            throw new CheckpointException(
                    path,
                    "tensor '" + t.name() + "' (" + t.byteSize() + " bytes of " + t.dtype()
                            + ") is larger than one mapping; only floating-point tensors that large are supported");
        }
        ByteBuffer bytes = map(t.begin(), t.byteSize());
        if (!privateMapping) {
            // a read-only mapping must not back a tensor: an in-place update (training) would crash the process
            ByteBuffer copy = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            bytes = copy.put(bytes).flip();
        }
        // the buffer stays referenced by the NDArray (DJL keeps direct buffers alive), so no further copy is made
        return manager.create(bytes, shape, type);
    }

    /** The tensor's values widened or narrowed to float. */
    public float[] readFloats(String name) {
        return readFloats(require(name));
    }

    float[] readFloats(TensorInfo t) {
        long n = t.elements();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(
                    path, "tensor '" + t.name() + "' has " + n + " elements, too many for" + " one Java array");
        }
        float[] out = new float[(int) n];
        int[] index = {0};
        forEachChunk(t, chunk -> {
            switch (t.dtype()) {
                case F32 -> {
                    int count = chunk.remaining() / 4;
                    chunk.asFloatBuffer().get(out, index[0], count);
                    index[0] += count;
                }
                case BF16 -> {
                    while (chunk.remaining() >= 2) {
                        out[index[0]++] = Float.intBitsToFloat((chunk.getShort() & 0xFFFF) << 16);
                    }
                }
                case F16 -> {
                    while (chunk.remaining() >= 2) {
                        out[index[0]++] = HalfFloats.toFloat(chunk.getShort());
                    }
                }
                case F64 -> {
                    while (chunk.remaining() >= 8) {
                        out[index[0]++] = (float) chunk.getDouble();
                    }
                }
                default ->
                    throw new CheckpointException(
                            path, "tensor '" + t.name() + "' is " + t.dtype() + ", not a floating-point type");
            }
        });
        return out;
    }

    public long[] readLongs(String name) {
        TensorInfo t = require(name);
        long[] out = new long[Math.toIntExact(t.elements())];
        int[] index = {0};
        forEachChunk(t, chunk -> {
            while (chunk.hasRemaining()) {
                out[index[0]++] = switch (t.dtype()) {
                    case I64 -> chunk.getLong();
                    case I32 -> chunk.getInt();
                    case I16 -> chunk.getShort();
                    case I8 -> chunk.get();
                    case U8, BOOL -> chunk.get() & 0xFF;
                    default ->
                        throw new CheckpointException(
                                path, "tensor '" + t.name() + "' is " + t.dtype() + ", not an integer type");
                };
            }
        });
        return out;
    }

    private int[] readInts(TensorInfo t) {
        long[] longs = readLongs(t.name());
        int[] ints = new int[longs.length];
        for (int i = 0; i < longs.length; i++) {
            ints[i] = (int) longs[i];
        }
        return ints;
    }

    /** Visits the tensor's bytes in mapped chunks aligned to its element size. */
    private void forEachChunk(TensorInfo t, java.util.function.Consumer<ByteBuffer> visitor) {
        long element = t.dtype().bytes();
        long step = Math.max(element, chunkBytes / element * element);
        for (long offset = 0; offset < t.byteSize(); offset += step) {
            long length = Math.min(step, t.byteSize() - offset);
            visitor.accept(map(t.begin() + offset, length));
        }
    }

    private ByteBuffer map(long relativeOffset, long length) {
        try {
            FileChannel.MapMode mode = privateMapping ? FileChannel.MapMode.PRIVATE : FileChannel.MapMode.READ_ONLY;
            return channel.map(mode, dataStart + relativeOffset, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(
                    path,
                    "cannot map bytes " + relativeOffset + ".." + (relativeOffset + length) + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }

    private static String decodeUtf8(Path path, ByteBuffer bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(path, "header is not valid UTF-8");
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to do: the file was only read
        }
    }
}
