package dev.lmlab.platform.job;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.boot.config.DbSchedulerCustomizer;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.lmlab.platform.config.PlatformAutoConfiguration;
import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.run.IdempotencyKeys;
import dev.lmlab.platform.run.RunRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.validation.Validator;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Durable jobs on db-scheduler: one task, {@code lmlab-job}, whose instance id is the run id, dispatching to
 * the {@link JobHandler} beans of this service. Off where {@code lmlab.jobs.enabled=false} (the gateway).
 */
@AutoConfiguration(
        after = PlatformAutoConfiguration.class,
        beforeName = "com.github.kagkarlsson.scheduler.boot.autoconfigure.DbSchedulerAutoConfiguration")
@ConditionalOnBooleanProperty(name = "lmlab.jobs.enabled", matchIfMissing = true)
@Import(JobController.class)
public class JobsAutoConfiguration {

    static final String TASK_NAME = "lmlab-job";

    @Bean
    SelfTestJob selfTestJob() {
        return new SelfTestJob();
    }

    @Bean
    JobCatalog jobCatalog(List<JobHandler<?>> handlers, JsonMapper json, Validator validator) {
        return new JobCatalog(handlers, json, validator);
    }

    @Bean
    LeaseStore leaseStore(JdbcClient jdbc, RunRegistry registry, TransactionTemplate tx) {
        return new LeaseStore(jdbc, registry, tx);
    }

    @Bean
    JobRunner jobRunner(
            JobCatalog catalog,
            LeaseStore leases,
            RunRegistry registry,
            TransactionTemplate tx,
            JsonMapper json,
            PlatformProperties p,
            MeterRegistry meters) {
        return new JobRunner(catalog, leases, registry, tx, json, p.jobs(), workerName(p), meters);
    }

    /**
     * The one db-scheduler task. Failures that reach db-scheduler are the job machinery's own (the job's
     * failures end the run instead): a worker handing a job over at shutdown is requeued at once, anything
     * else (the database gone) is retried later.
     */
    @Bean
    OneTimeTask<Void> lmlabJobTask(ObjectProvider<JobRunner> runner, PlatformProperties p) {
        return Tasks.oneTime(TASK_NAME)
                .onFailure((complete, operations) -> {
                    boolean handover = complete.getCause()
                            .filter(WorkerShutdownException.class::isInstance)
                            .isPresent();
                    Instant next = handover
                            ? Instant.now()
                            : Instant.now().plus(p.jobs().failureRetryDelay());
                    operations.reschedule(complete, next);
                })
                .execute((instance, context) -> runner.getObject().execute(instance.getId(), context));
    }

    @Bean
    JobService jobService(
            PlatformProperties p,
            JobCatalog catalog,
            RunRegistry registry,
            IdempotencyKeys idempotency,
            SchedulerClient scheduler,
            OneTimeTask<Void> lmlabJobTask,
            JsonMapper json) {
        return new JobService(p.service().name(), catalog, registry, idempotency, scheduler, lmlabJobTask, json);
    }

    /** Names the scheduler after this process, so two replicas on one host stay distinguishable. */
    @Bean
    DbSchedulerCustomizer lmlabSchedulerCustomizer(PlatformProperties p) {
        String name = workerName(p);
        return new DbSchedulerCustomizer() {
            @Override
            public Optional<SchedulerName> schedulerName() {
                return Optional.of(new SchedulerName.Fixed(name));
            }
        };
    }

    static String workerName(PlatformProperties p) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return p.service().name() + "@" + host + ":" + ProcessHandle.current().pid();
    }
}
