package dev.lmlab.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.testing.ServiceContract;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The service starts against an empty database and answers as an LM Lab service should. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "lmlab.internal-token=startup-test-token")
class InferenceServiceStartupTest {

    @LocalServerPort
    int port;

    @Test
    void startsOnAnEmptyDatabaseAndDescribesItself() throws Exception {
        JsonNode info = ServiceContract.assertServes(port, "startup-test-token", "inference");
        assertThat(info.get("compute").get("engine").asString()).isEqualTo("PyTorch");
        assertThat(info.get("compute").get("device").asString()).isIn("cpu()", "gpu(0)");
    }
}
