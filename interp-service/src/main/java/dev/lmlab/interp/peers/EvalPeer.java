package dev.lmlab.interp.peers;

import dev.lmlab.platform.client.ServiceClients;
import dev.lmlab.platform.web.ApiException;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;

/** What the interp service asks of the eval service: to judge generations with a grader ({@code POST /grades}). */
@Component
public class EvalPeer {

    private final ServiceClients clients;

    public EvalPeer(ServiceClients clients) {
        this.clients = clients;
    }

    /** Refuses a grader the eval service would refuse (bad spec, a judge off the allow-list), as the same 400. */
    public void check(JsonNode grader, String field) {
        call(Map.of("grader", grader, "check_only", true), field);
    }

    /** A verdict per item ({@code id, outcome, score, rubric_scores, rationale, judge_output}), in item order. */
    public JsonNode grade(JsonNode grader, List<Map<String, Object>> items) {
        return call(Map.of("grader", grader, "items", items), "judge");
    }

    private JsonNode call(Map<String, Object> body, String field) {
        try {
            return clients.forService("eval")
                    .post()
                    .uri("/grades")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(body)
                    .retrieve()
                    .body(JsonNode.class);
        } catch (HttpClientErrorException e) {
            JsonNode problem = e.getResponseBodyAs(JsonNode.class);
            String detail =
                    problem == null ? e.getMessage() : problem.path("detail").asString(e.getMessage());
            throw ApiException.badRequest("invalid-judge", "the eval service refused the judge: " + detail)
                    .with("field", field);
        } catch (RestClientResponseException | ResourceAccessException e) {
            throw new ApiException(
                    HttpStatus.BAD_GATEWAY, "eval-unavailable", "could not reach the eval service: " + e.getMessage());
        }
    }
}
