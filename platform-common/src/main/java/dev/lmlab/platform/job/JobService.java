package dev.lmlab.platform.job;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.lmlab.platform.run.IdempotencyKeys;
import dev.lmlab.platform.run.NewRun;
import dev.lmlab.platform.run.Run;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.web.Caller;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Accepts job submissions: binds params, registers the run and schedules its job in one transaction, so an
 * accepted submission is never lost and a crash between the two leaves neither behind.
 */
public class JobService {

    private static final Logger log = LoggerFactory.getLogger(JobService.class);

    private final String service;
    private final JobCatalog catalog;
    private final RunRegistry registry;
    private final IdempotencyKeys idempotency;
    private final SchedulerClient scheduler;
    private final OneTimeTask<Void> jobTask;
    private final JsonMapper json;

    public JobService(
            String service,
            JobCatalog catalog,
            RunRegistry registry,
            IdempotencyKeys idempotency,
            SchedulerClient scheduler,
            OneTimeTask<Void> jobTask,
            JsonMapper json) {
        this.service = service;
        this.catalog = catalog;
        this.registry = registry;
        this.idempotency = idempotency;
        this.scheduler = scheduler;
        this.jobTask = jobTask;
        this.json = json;
    }

    /** A submission's outcome: the run, and whether this call created it or replayed an earlier one. */
    public record Submission(Run run, boolean created) {}

    public Submission submit(JobRequest request, Caller caller, String idempotencyKey) {
        JobHandler<?> handler = catalog.require(request.kind());
        return submitBound(handler, request, caller, idempotencyKey);
    }

    private <P> Submission submitBound(JobHandler<P> handler, JobRequest request, Caller caller, String key) {
        P params = catalog.bind(handler, request.params());
        // store the params the job will really see, defaults filled in: the run then documents itself
        JsonNode effective = json.valueToTree(params);
        String name = request.name() == null || request.name().isBlank() ? handler.defaultName(params) : request.name();
        NewRun newRun = new NewRun(
                service, handler.kind(), name, effective, request.tags(), request.parentRunId(), caller.keyName());
        IdempotencyKeys.Outcome outcome = idempotency.createOnce(service + ":" + caller.keyId(), key, newRun, () -> {
            Run run = registry.create(newRun);
            scheduler.schedule(jobTask.instance(run.id().toString()), Instant.now());
            return run;
        });
        if (outcome.created()) {
            log.info(
                    "Accepted {} job as run {} for {}",
                    handler.kind(),
                    outcome.run().id(),
                    caller.keyName());
        }
        return new Submission(outcome.run(), outcome.created());
    }

    /** The kinds with their descriptions and default params, for discovery. */
    public Map<String, Object> describeKinds() {
        Map<String, Object> kinds = new LinkedHashMap<>();
        for (JobHandler<?> h : catalog.handlers()) {
            kinds.put(
                    h.kind(),
                    Map.of("description", h.description(), "default_params", json.valueToTree(h.defaultParams())));
        }
        return kinds;
    }
}
