package dev.lmlab.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.core.checkpoint.ModelConfig;
import dev.lmlab.core.tiny.TinyModels;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Good and bad requests in a loop must not leak native (PyTorch) memory: after a warm-up, the resident memory
 * outside the Java heap stays flat. The model is wide enough (D 256, 4 layers, 200-token inputs) that leaking
 * one activation tensor per request would add tens of megabytes over the loop. Also: checkpoints that cannot
 * load (corrupt safetensors, wrong shapes, bf16) get a 400 and the JVM keeps serving.
 */
class NativeMemorySoakTest extends InferenceApiSupport {

    static final int WARM_UP = 40;
    static final int LOOPS = 200;
    /** Allowed growth of native resident memory over the loop; a per-request leak of ~100 KB exceeds it. */
    static final long SLACK_BYTES = 24L << 20;

    @Test
    void residentMemoryStaysFlatUnderGoodAndBadRequests() throws Exception {
        Path folder = HOME.resolve("models/soak");
        if (!Files.exists(folder.resolve("config.json"))) {
            TinyModels.write(
                    folder, ModelConfig.Family.LLAMA, new TinyModels.Size(256, 4, 4, 2, 64, 640, 512), 5, 0.05);
        }
        postOk("/models", "{\"id\":\"soak\",\"path\":\"soak\"}");
        String text = "The quick brown fox jumps over the lazy dog. ".repeat(4);
        float[] vector = new float[256];
        vector[3] = 1.5f;
        String steer = "[{\"hook\":\"blocks.2.hook_resid_post\",\"op\":\"add\",\"vector\":"
                + JSON.writeValueAsString(vector) + "}]";
        List<String[]> requests = List.of(
                new String[] {
                    "/v1/completions",
                    "{\"model\":\"soak\",\"prompt\":" + JSON.writeValueAsString(text)
                            + ",\"max_tokens\":8,\"temperature\":0.7,\"logprobs\":2}"
                },
                new String[] {
                    "/v1/chat/completions",
                    "{\"model\":\"soak\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"hi\"}],\"max_tokens\":6,\"interventions\":" + steer + "}"
                },
                new String[] {
                    "/v1/score",
                    "{\"model\":\"soak\",\"text\":" + JSON.writeValueAsString(text) + ",\"top_logprobs\":2}"
                },
                new String[] {
                    "/v1/activations",
                    "{\"model\":\"soak\",\"inputs\":[" + JSON.writeValueAsString(text)
                            + "],\"hooks\":[\"blocks.1.hook_resid_post\",\"blocks.3.hook_mlp_out\"],\"positions\":"
                            + "\"mean\",\"interventions\":" + steer + "}"
                },
                // bad ones: each fails validation after the model is loaded
                new String[] {
                    "/v1/chat/completions",
                    "{\"model\":\"soak\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"x\"}],\"interventions\":[{\"hook\":\"blocks.0.hook_resid_post\",\"op\":"
                            + "\"add\",\"vector\":[1,2]}]}"
                },
                new String[] {"/v1/activations", "{\"model\":\"soak\",\"inputs\":[\"x\"],\"hooks\":[\"nope\"]}"},
                new String[] {"/v1/completions", "{\"model\":\"soak\",\"prompt\":[1,3],\"max_tokens\":4}"},
                new String[] {"/v1/completions", "{\"model\":\"soak\",\"prompt\":\"a\",\"max_tokens\":600}"},
                new String[] {"/v1/completions", "{\"model\":\"soak\",\"prompt\":\"a\",\"interventions\":[{\"op\":1}]}"
                },
                new String[] {"/v1/score", "{\"model\":\"soak\",\"input_ids\":[1,2,99999]}"},
                new String[] {"/v1/completions", "{\"model\":\"soak\",\"prompt\":"});

        for (int i = 0; i < WARM_UP; i++) {
            round(requests);
        }
        long before = nativeResident();
        for (int i = 0; i < LOOPS; i++) {
            round(requests);
        }
        long after = nativeResident();
        assertThat(after - before)
                .as("native resident memory grew from %d MB to %d MB over %d rounds", before >> 20, after >> 20, LOOPS)
                .isLessThan(SLACK_BYTES);
    }

    private void round(List<String[]> requests) throws Exception {
        for (String[] r : requests) {
            HttpResponse<String> response = post(r[0], r[1]);
            assertThat(response.statusCode()).as(r[0] + " " + response.body()).isIn(200, 400);
        }
    }

    /** Resident memory minus what the JVM has committed for its heap and its own non-heap areas. */
    private static long nativeResident() throws Exception {
        System.gc();
        Thread.sleep(200);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return rss
                - memory.getHeapMemoryUsage().getCommitted()
                - memory.getNonHeapMemoryUsage().getCommitted();
    }

    @Test
    void checkpointsThatCannotLoadAreRefusedAndTheServiceKeepsServing() throws Exception {
        Path corrupt = HOME.resolve("models/corrupt");
        TinyModels.write(corrupt, ModelConfig.Family.LLAMA, TinyModels.Size.TINY, 1, 0.1);
        Files.write(corrupt.resolve("model.safetensors"), new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        postOk("/models", "{\"id\":\"corrupt\",\"path\":\"corrupt\"}");
        problem(post("/v1/completions", "{\"model\":\"corrupt\",\"prompt\":\"a\"}"), 400, "unloadable-checkpoint");

        Path misshapen = HOME.resolve("models/misshapen");
        TinyModels.write(misshapen, ModelConfig.Family.LLAMA, TinyModels.Size.TINY, 1, 0.1);
        String config = Files.readString(misshapen.resolve("config.json"))
                .replace("\"hidden_size\" : 64", "\"hidden_size\" : 96");
        Files.writeString(misshapen.resolve("config.json"), config);
        postOk("/models", "{\"id\":\"misshapen\",\"path\":\"misshapen\"}");
        problem(post("/v1/completions", "{\"model\":\"misshapen\",\"prompt\":\"a\"}"), 400, "unloadable-checkpoint");

        registerTiny("after", "llama");
        postOk("/v1/completions", "{\"model\":\"after\",\"prompt\":\"a\",\"max_tokens\":2}");
    }
}
