package dev.lmlab.eval.benchmark;

import dev.lmlab.platform.web.ApiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Registers the benchmarks that ship with the service ({@code classpath:benchmarks/<name>/spec.json} and {@code
 * items.jsonl}) at start-up. Importing unchanged content is a no-op, so every replica may do it.
 */
@Component
class ShippedBenchmarks implements ApplicationRunner {

    static final List<String> NAMES = List.of("implicitmem-mini", "toy-letters");
    private static final Logger log = LoggerFactory.getLogger(ShippedBenchmarks.class);

    private final BenchmarkParser parser;
    private final BenchmarkStore store;
    private final JsonMapper json;

    ShippedBenchmarks(BenchmarkParser parser, BenchmarkStore store, JsonMapper json) {
        this.parser = parser;
        this.store = store;
        this.json = json;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        for (String name : NAMES) {
            ObjectNode request = json.createObjectNode();
            request.set("spec", json.readTree(read(name + "/spec.json")));
            request.put("items_jsonl", read(name + "/items.jsonl"));
            try {
                BenchmarkStore.Imported imported = store.save(parser.parse(request), "lmlab");
                log.info("Shipped benchmark {}: {}", imported.benchmark().id(), imported.outcome());
            } catch (ApiException e) {
                log.warn("Shipped benchmark {} not registered: {}", name, e.getMessage());
            }
        }
    }

    private static String read(String path) throws IOException {
        return new ClassPathResource("benchmarks/" + path).getContentAsString(StandardCharsets.UTF_8);
    }
}
