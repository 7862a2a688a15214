package dev.lmlab.core.compute;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class ComputeBackendTest {

    @Test
    void loadsLibtorchOfflineAndComputesOnTheChosenDevice() {
        ComputeBackend backend = ComputeBackend.get();

        try (NDManager manager =
                NDManager.newBaseManager(backend.device(), backend.engine().getEngineName())) {
            NDArray a = manager.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray product = a.matMul(a); // (2, 2)

            assertThat(product.toFloatArray()).containsExactly(7f, 10f, 15f, 22f);
        }
        assertThat(backend.describe()).containsEntry("engine", "PyTorch").containsEntry("engine_version", "2.5.1");
    }

    @Test
    void cpuCanBeForced() {
        assertThat(ComputeBackend.choose("cpu").device().isGpu()).isFalse();
    }
}
