package dev.lmlab.training.peers;

import dev.lmlab.platform.client.ServiceClients;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;

/**
 * Tells the eval service that a checkpoint is ready to be graded. The eval service starts one child run of the
 * training run per benchmark and ignores an event it has already seen, so a resumed job may send it again.
 */
@Component
public class EvalTrigger {

    private static final Logger log = LoggerFactory.getLogger(EvalTrigger.class);

    private final ServiceClients clients;

    public EvalTrigger(ServiceClients clients) {
        this.clients = clients;
    }

    /** What the eval service answered: the child runs it started (or had started for the same event before). */
    public record Started(List<String> runIds) {}

    /**
     * @param model the id the checkpoint is registered under with the inference service
     * @throws EvalUnavailableException when the eval service cannot be reached or refuses the event
     */
    public Started checkpointReady(
            UUID trainingRun, long step, String model, boolean last, List<String> benchmarks, JsonNode settings) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("training_run_id", trainingRun.toString());
        event.put("step", step);
        event.put("model", model);
        event.put("final", last);
        event.put("benchmarks", benchmarks);
        if (settings != null && !settings.isNull()) {
            event.put("settings", settings);
        }
        try {
            JsonNode body = clients.forService("eval")
                    .post()
                    .uri("/checkpoint-events")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(event)
                    .retrieve()
                    .body(JsonNode.class);
            List<String> runs = body.path("runs")
                    .valueStream()
                    .map(r -> r.path("id").asString())
                    .toList();
            log.info("Eval service started {} run(s) for step {} of training run {}", runs.size(), step, trainingRun);
            return new Started(runs);
        } catch (ResourceAccessException | RestClientResponseException e) {
            String reason = e instanceof RestClientResponseException r
                    ? r.getStatusCode() + " " + r.getResponseBodyAsString()
                    : e.getMessage();
            throw new EvalUnavailableException("the eval service did not take the checkpoint event: " + reason, e);
        }
    }

    public static final class EvalUnavailableException extends RuntimeException {
        EvalUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
