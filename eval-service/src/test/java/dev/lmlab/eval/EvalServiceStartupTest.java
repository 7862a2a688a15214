package dev.lmlab.eval;

import dev.lmlab.testing.ServiceContract;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The service starts against an empty database and answers as an LM Lab service should. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "lmlab.internal-token=startup-test-token")
class EvalServiceStartupTest {

    @LocalServerPort
    int port;

    @Test
    void startsOnAnEmptyDatabaseAndDescribesItself() throws Exception {
        ServiceContract.assertServes(port, "startup-test-token", "eval");
    }
}
