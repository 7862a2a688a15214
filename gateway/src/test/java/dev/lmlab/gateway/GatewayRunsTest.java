package dev.lmlab.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lmlab.testing.Await;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The runs view through the gateway: listing, metrics, live SSE events, cancel, and runs logged from outside. */
class GatewayRunsTest extends GatewayTestSupport {

    /** One server-sent event as read off the wire. */
    record Sse(long id, String event, JsonNode data) {}

    private String submitSelftest(int steps, int stepMillis) throws Exception {
        HttpResponse<String> submitted = send(
                "POST",
                "/api/training/jobs",
                ADMIN_KEY,
                "{\"kind\": \"selftest\", \"tags\": {\"suite\": \"gateway\"}, \"params\": {\"steps\": " + steps
                        + ", \"step_millis\": " + stepMillis + ", \"checkpoint_every\": 5}}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        return json(submitted).get("id").asString();
    }

    private String status(String id) {
        try {
            return json(get("/api/runs/" + id, ADMIN_KEY)).get("status").asString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the SSE stream until the server ends it (after the run's final status). */
    private List<Sse> readStream(String path, String lastEventId) throws Exception {
        // no Accept header, as curl sends none: the stream is the default
        var request = call(path, ADMIN_KEY).timeout(Duration.ofSeconds(60));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<Sse> events = new ArrayList<>();
        long id = -1;
        String name = null;
        StringBuilder data = new StringBuilder();
        for (String line : (Iterable<String>) response.body()::iterator) {
            if (line.startsWith("id:")) {
                id = Long.parseLong(line.substring(3).trim());
            } else if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5));
            } else if (line.isEmpty() && data.length() > 0) {
                events.add(new Sse(id, name, JsonMapper.shared().readTree(data.toString())));
                data.setLength(0);
            }
        }
        return events;
    }

    @Test
    void aJobSubmittedThroughTheGatewayIsListedFollowedLiveAndFinished() throws Exception {
        String id = submitSelftest(15, 30);

        List<Sse> events = readStream("/api/runs/" + id + "/events", null);

        List<String> statuses = events.stream()
                .filter(e -> e.event().equals("status"))
                .map(e -> e.data().get("data").get("status").asString())
                .toList();
        assertThat(statuses).containsExactly("QUEUED", "RUNNING", "SUCCEEDED");
        assertThat(events).extracting(Sse::id).isSorted().doesNotHaveDuplicates();
        assertThat(events.stream().filter(e -> e.event().equals("progress")).count())
                .isGreaterThan(3);
        assertThat(events).extracting(Sse::event).contains("checkpoint");
        assertThat(events.get(0).data().get("run_id").asString()).isEqualTo(id);

        JsonNode run = json(get("/api/runs/" + id, ADMIN_KEY));
        assertThat(run.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(run.get("service").asString()).isEqualTo("training");
        assertThat(run.get("progress").asDouble()).isEqualTo(1.0);

        JsonNode listed =
                json(get("/api/runs?service=training&tag=suite:gateway&status=SUCCEEDED&size=100", ADMIN_KEY));
        assertThat(listed.get("items").findValuesAsString("id")).contains(id);

        JsonNode history = json(get("/api/runs/" + id + "/metrics?key=selftest.step", ADMIN_KEY));
        assertThat(history.get("points").size()).isEqualTo(15);
        JsonNode summaries = json(get("/api/runs/" + id + "/metrics", ADMIN_KEY));
        assertThat(summaries.findValuesAsString("key")).contains("selftest.value", "selftest.step", "selftest.sum");
        assertThat(json(get("/api/runs/" + id + "/artifacts", ADMIN_KEY)).isArray())
                .isTrue();
    }

    @Test
    void aStreamResumesAfterLastEventIdAndEndsAtOnceForAFinishedRun() throws Exception {
        String id = submitSelftest(10, 10);
        List<Sse> all = readStream("/api/runs/" + id + "/events", null);
        Sse checkpoint = all.stream()
                .filter(e -> e.event().equals("checkpoint"))
                .findFirst()
                .orElseThrow();

        List<Sse> rest = readStream("/api/runs/" + id + "/events", String.valueOf(checkpoint.id()));
        List<Sse> none = readStream(
                "/api/runs/" + id + "/events",
                String.valueOf(all.get(all.size() - 1).id()));

        assertThat(rest)
                .extracting(Sse::id)
                .containsExactlyElementsOf(all.stream()
                        .map(Sse::id)
                        .filter(seq -> seq > checkpoint.id())
                        .collect(Collectors.toList()));
        assertThat(none).isEmpty();
        JsonNode asJson = json(http.send(
                call("/api/runs/" + id + "/events?format=json&after=0", ADMIN_KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
        assertThat(asJson.size()).isEqualTo(all.size());
    }

    @Test
    void cancelThroughTheGatewayStopsTheJobAndCannotBeRepeated() throws Exception {
        String id = submitSelftest(1000, 20);
        Await.until("the job to run", Duration.ofSeconds(30), () -> status(id), "RUNNING"::equals);

        HttpResponse<String> cancel = send("POST", "/api/runs/" + id + "/cancel", ADMIN_KEY, null);
        assertThat(cancel.statusCode()).isEqualTo(202);
        assertThat(json(cancel).get("cancel_requested").asBoolean()).isTrue();
        Await.until("the run to be cancelled", Duration.ofSeconds(30), () -> status(id), "CANCELLED"::equals);

        HttpResponse<String> again = send("POST", "/api/runs/" + id + "/cancel", ADMIN_KEY, null);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).get("type").asString()).isEqualTo("urn:lmlab:problem:illegal-transition");
        assertThat(json(again).get("current_status").asString()).isEqualTo("CANCELLED");
    }

    @Test
    void externalScriptsLogRunsAndTheStatusMachineHolds() throws Exception {
        HttpResponse<String> created = send(
                "POST",
                "/api/runs",
                ADMIN_KEY,
                "{\"kind\": \"notebook\", \"name\": \"probe sweep\", \"params\": {\"layer\": 6},"
                        + " \"tags\": {\"paper\": \"granularity\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json(created).get("id").asString();
        assertThat(json(created).get("service").asString()).isEqualTo("external");

        assertThat(send("PATCH", "/api/runs/" + id, ADMIN_KEY, "{\"status\": \"RUNNING\", \"progress\": 0.25}")
                        .statusCode())
                .isEqualTo(200);
        StringBuilder points = new StringBuilder("{\"points\": [");
        for (int step = 0; step < 1000; step++) {
            points.append(step == 0 ? "" : ",")
                    .append("{\"key\": \"cos_pc1\", \"step\": ")
                    .append(step)
                    .append(", \"value\": ")
                    .append(step / 1000.0)
                    .append("}");
        }
        points.append("]}");
        HttpResponse<String> logged = send("POST", "/api/runs/" + id + "/metrics", ADMIN_KEY, points.toString());
        assertThat(logged.statusCode()).as(logged.body()).isEqualTo(201);
        assertThat(json(logged).get("logged").asInt()).isEqualTo(1000);
        JsonNode done = json(send("PATCH", "/api/runs/" + id, ADMIN_KEY, "{\"status\": \"SUCCEEDED\"}"));
        assertThat(done.get("status").asString()).isEqualTo("SUCCEEDED");

        HttpResponse<String> late = send("PATCH", "/api/runs/" + id, ADMIN_KEY, "{\"progress\": 0.5}");
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(json(late).get("type").asString()).isEqualTo("urn:lmlab:problem:run-finished");
        assertThat(send("PATCH", "/api/runs/" + id, ADMIN_KEY, "{\"progress\": 1.5}")
                        .statusCode())
                .isEqualTo(400);
        JsonNode events = json(get("/api/runs/" + id + "/events?format=json", ADMIN_KEY));
        assertThat(events.findValuesAsString("type")).containsExactly("status", "progress", "status", "status");

        HttpResponse<String> illegal = send("PATCH", "/api/runs/" + id, ADMIN_KEY, "{\"status\": \"RUNNING\"}");

        assertThat(illegal.statusCode()).isEqualTo(409);
        assertThat(json(illegal).get("allowed").size()).isZero();
        assertThat(json(get("/api/runs/" + id + "/metrics?key=cos_pc1&from_step=990", ADMIN_KEY))
                        .get("points")
                        .size())
                .isEqualTo(10);

        String jobRun = submitSelftest(1, 0);
        HttpResponse<String> owned = send("PATCH", "/api/runs/" + jobRun, ADMIN_KEY, "{\"status\": \"FAILED\"}");
        assertThat(owned.statusCode()).isEqualTo(409);
        assertThat(json(owned).get("type").asString()).isEqualTo("urn:lmlab:problem:run-owned-by-service");
    }

    @Test
    void badRunQueriesAre4xxProblems() throws Exception {
        String missing = "00000000-0000-0000-0000-000000000000";
        assertThat(get("/api/runs/" + missing, ADMIN_KEY).statusCode()).isEqualTo(404);
        assertThat(get("/api/runs/" + missing + "/events", ADMIN_KEY).statusCode())
                .isEqualTo(404);
        assertThat(send("POST", "/api/runs/" + missing + "/cancel", ADMIN_KEY, null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(get("/api/runs/not-a-uuid", ADMIN_KEY).statusCode()).isEqualTo(400);
        for (String query : List.of(
                "size=-1",
                "size=0",
                "size=501",
                "page=-2",
                "page=x",
                "status=DONE",
                "colour=red",
                "created_after=yesterday",
                "parent=xyz",
                "tag=:v")) {
            HttpResponse<String> r = get("/api/runs?" + query, ADMIN_KEY);
            assertThat(r.statusCode()).as(query + " → " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
        assertThat(json(get("/api/runs?colour=red", ADMIN_KEY))
                        .get("valid_parameters")
                        .toString())
                .contains("tag");
        assertThat(send("PATCH", "/api/runs/" + missing, ADMIN_KEY, "{\"status\": \"RUNNING\"}")
                        .statusCode())
                .isEqualTo(404);
        assertThat(send("POST", "/api/runs", ADMIN_KEY, "{\"kind\": \"\"}").statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/api/runs", ADMIN_KEY, "{\"kind\": \"x\", \"parent_run_id\": \"" + missing + "\"}")
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void externalRunCreationHonoursIdempotencyKeys() throws Exception {
        var request = call("/api/runs", ADMIN_KEY)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "notebook-cell-7")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"kind\": \"notebook\"}"))
                .build();

        HttpResponse<String> first = http.send(request, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> again = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("id")).isEqualTo(json(first).get("id"));
    }
}
