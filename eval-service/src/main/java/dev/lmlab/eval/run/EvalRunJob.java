package dev.lmlab.eval.run;

import dev.lmlab.eval.EvalProperties;
import dev.lmlab.eval.benchmark.BenchmarkItem;
import dev.lmlab.eval.benchmark.BenchmarkSpec;
import dev.lmlab.eval.benchmark.BenchmarkStore;
import dev.lmlab.eval.benchmark.StoredBenchmark;
import dev.lmlab.eval.grading.Grader;
import dev.lmlab.eval.grading.Graders;
import dev.lmlab.eval.protocol.Protocol;
import dev.lmlab.eval.protocol.Protocols;
import dev.lmlab.eval.report.RunReport;
import dev.lmlab.eval.target.Sampling;
import dev.lmlab.eval.target.Target;
import dev.lmlab.eval.target.TargetSpec;
import dev.lmlab.eval.target.Targets;
import dev.lmlab.platform.job.JobContext;
import dev.lmlab.platform.job.JobHandler;
import dev.lmlab.platform.web.ApiException;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * An eval run: every item of a registered benchmark version, {@code trials} times, against a target, graded, each
 * trial stored as it completes. Items fan out over {@code concurrency} threads; the job's own thread writes the
 * results, the metrics and the checkpoints. A revived run reads which trials are stored and does only the others,
 * so no completed trial is graded twice. Target failures are recorded per trial; past {@code error_budget} (a
 * fraction of all trials) the run stops and fails with the first failure's reason.
 */
@Component
class EvalRunJob implements JobHandler<EvalRunJob.Params> {

    static final String KIND = "eval";
    private static final Logger log = LoggerFactory.getLogger(EvalRunJob.class);
    /** Each trial's calls draw seeds from its own block of this many. */
    static final long SEEDS_PER_TRIAL = 64;

    private final BenchmarkStore benchmarks;
    private final TrialStore trials;
    private final Targets targets;
    private final Graders graders;
    private final RunReport reports;
    private final EvalProperties properties;

    EvalRunJob(
            BenchmarkStore benchmarks,
            TrialStore trials,
            Targets targets,
            Graders graders,
            RunReport reports,
            EvalProperties properties) {
        this.benchmarks = benchmarks;
        this.trials = trials;
        this.targets = targets;
        this.graders = graders;
        this.reports = reports;
        this.properties = properties;
    }

    /**
     * @param benchmark {@code name@version} ({@code POST /runs} pins the version at submission)
     * @param target the model graded
     * @param trials trials per item (k); the benchmark's default when absent
     * @param seed trial t of item i draws its seeds from {@code seed + (i·k + t)·64}: reproducible, never shared
     * @param concurrency trials in flight at once
     * @param grader a grader spec that replaces the benchmark's (items' own graders included)
     * @param errorBudget the fraction of trials that may fail to reach the target before the run fails
     */
    record Params(
            @NotBlank String benchmark,
            @NotNull TargetSpec target,
            @Min(1) @Max(10_000) Integer trials,
            Long seed,
            @Min(1) @Max(1024) Integer concurrency,
            JsonNode grader,
            @Min(1) @Max(4096) Integer maxTokens,
            @DecimalMin("0") @DecimalMax("10") Double temperature,
            @Min(1) @Max(4096) Integer steps,
            @Min(1) @Max(4096) Integer blockLength,
            @DecimalMin("0") @DecimalMax("1") Double errorBudget) {

        Params {
            seed = seed == null ? 0L : seed;
            concurrency = concurrency == null ? 4 : concurrency;
            errorBudget = errorBudget == null ? 0.1 : errorBudget;
            grader = grader == null || grader.isNull() ? null : grader;
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Class<Params> paramsType() {
        return Params.class;
    }

    @Override
    public String description() {
        return "Grades a target on a registered benchmark: k trials per item, stored per trial, pass@k/pass^k report";
    }

    @Override
    public Params defaultParams() {
        return new Params("", TargetSpec.inference(""), null, null, null, null, null, null, null, null, null);
    }

    @Override
    public String defaultName(Params p) {
        return p.benchmark() + " on " + p.target().label();
    }

    @Override
    public void check(Params p) {
        StoredBenchmark b = benchmarks.resolve(p.benchmark());
        int k = p.trials() == null ? b.spec().trials() : p.trials();
        if (k > properties.maxTrials()) {
            throw ApiException.badRequest("invalid-params", "trials is at most " + properties.maxTrials())
                    .with("field", "trials");
        }
        if (p.concurrency() > properties.maxConcurrency()) {
            throw ApiException.badRequest("invalid-params", "concurrency is at most " + properties.maxConcurrency())
                    .with("field", "concurrency");
        }
        targets.requireAvailable(p.target(), "target");
        List<TargetSpec> judges = new ArrayList<>();
        if (p.grader() != null) {
            Grader override = graders.parse(p.grader(), "grader", judges::add);
            for (BenchmarkItem item : benchmarks.items(b.name(), b.version())) {
                try {
                    override.checkItem(item.data());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest(
                                    "invalid-grader",
                                    "the grader does not fit item '" + item.id() + "': " + e.getMessage())
                            .with("field", "grader");
                }
            }
        } else {
            graders.parse(b.spec().grader(), "spec.grader", judges::add);
            for (BenchmarkItem item : benchmarks.items(b.name(), b.version())) {
                if (item.data().has("grader")) {
                    graders.parse(item.data().get("grader"), "grader", judges::add);
                }
            }
        }
        for (TargetSpec judge : Set.copyOf(judges)) {
            targets.requireAvailable(judge, "grader.target");
        }
        benchmarks.markUsed(b.name(), b.version());
    }

    @Override
    public void run(JobContext context, Params p) throws Exception {
        StoredBenchmark b = benchmarks.resolve(p.benchmark());
        BenchmarkSpec spec = b.spec();
        List<BenchmarkItem> items = benchmarks.items(b.name(), b.version());
        int k = p.trials() == null ? spec.trials() : p.trials();
        Protocol protocol = Protocols.of(spec);
        Map<String, Grader> graderOf = graders(p, spec, items);
        Target target = targets.open(p.target());
        Sampling sampling = new Sampling(
                p.maxTokens() == null ? spec.maxTokens() : p.maxTokens(),
                p.temperature() != null
                        ? p.temperature()
                        : spec.temperature() != null ? spec.temperature() : k == 1 ? 0 : 1,
                p.steps() != null ? p.steps() : spec.steps(),
                p.blockLength() != null ? p.blockLength() : spec.blockLength(),
                spec.stop());

        Set<String> done = trials.done(context.runId());
        long total = (long) items.size() * k;
        RunningTally tally = RunningTally.of(trials.all(context.runId()));
        if (context.resumed()) {
            context.message("resuming: " + done.size() + " of " + total + " trials were graded before");
        }
        int threads = Math.min(p.concurrency(), properties.maxConcurrency());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "eval-" + context.runId().toString().substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        CompletionService<Trial> completions = new ExecutorCompletionService<>(pool);
        try {
            List<TrialTask> pending = new ArrayList<>();
            for (BenchmarkItem item : items) {
                for (int t = 0; t < k; t++) {
                    if (!done.contains(TrialStore.key(item.id(), t))) {
                        long seed = p.seed() + ((long) item.ordinal() * k + t) * SEEDS_PER_TRIAL;
                        pending.add(new TrialTask(item, t, seed, protocol, graderOf.get(item.id()), target, sampling));
                    }
                }
            }
            int submitted = 0;
            int inFlight = 0;
            long lastCheckpoint = System.nanoTime();
            List<Trial> unsaved = new ArrayList<>();
            while (submitted < pending.size() || inFlight > 0) {
                // keep the pool a little ahead of the writer, never the whole benchmark in memory at once
                while (submitted < pending.size() && inFlight < threads * 2) {
                    completions.submit(pending.get(submitted++));
                    inFlight++;
                }
                context.checkCancelled();
                Future<Trial> next = completions.poll(200, TimeUnit.MILLISECONDS);
                if (next != null) {
                    inFlight--;
                    Trial trial = next.get();
                    unsaved.add(trial);
                    tally.add(trial);
                }
                boolean due = System.nanoTime() - lastCheckpoint > 1_000_000_000L || unsaved.size() >= 32;
                if (!unsaved.isEmpty() && (due || inFlight == 0)) {
                    trials.insert(context.runId(), unsaved);
                    unsaved.clear();
                    long graded = tally.trials();
                    context.metric("trials_done", graded, graded);
                    context.metric("running_accuracy", graded, tally.accuracy());
                    context.metric("errors", graded, tally.errors());
                    context.checkpoint(graded, Map.of("trials_done", graded));
                    context.progress(graded, total);
                    lastCheckpoint = System.nanoTime();
                    if (tally.errors() > p.errorBudget() * total) {
                        throw new IllegalStateException(String.format(
                                Locale.ROOT,
                                "%d of %d trials could not reach %s, past the error budget of %.0f%%; first: %s",
                                tally.errors(),
                                total,
                                target.describe(),
                                100 * p.errorBudget(),
                                tally.firstError()));
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        RunReport.Written written = reports.publish(context, b, p.target().label(), k);
        log.info("Eval run {}: {}", context.runId(), written.summary());
        context.message(written.summary());
    }

    private Map<String, Grader> graders(Params p, BenchmarkSpec spec, List<BenchmarkItem> items) {
        Map<String, Grader> byItem = new HashMap<>();
        if (p.grader() != null) {
            Grader override = graders.parse(p.grader(), "grader");
            items.forEach(i -> byItem.put(i.id(), override));
            return byItem;
        }
        Grader fallback = graders.parse(spec.grader(), "spec.grader");
        Map<String, Grader> bySpec = new HashMap<>(); // items sharing a grader spec share one grader (and its judge)
        for (BenchmarkItem item : items) {
            JsonNode own = item.data().get("grader");
            byItem.put(
                    item.id(),
                    own == null ? fallback : bySpec.computeIfAbsent(own.toString(), s -> graders.parse(own, "grader")));
        }
        return byItem;
    }
}
