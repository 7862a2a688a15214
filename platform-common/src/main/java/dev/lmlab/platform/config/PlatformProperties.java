package dev.lmlab.platform.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings every LM Lab process shares, under {@code lmlab.*}. Environment variables override them the
 * usual Spring way ({@code LMLAB_INTERNAL_TOKEN}, {@code LMLAB_HOME}, ...).
 *
 * @param service who this process is: its name doubles as its database schema and as the {@code service} of
 *     the runs it owns
 * @param internalToken the secret the gateway and the services share; services refuse calls without it
 * @param home the platform's data folder (models, datasets, artifacts, keys)
 * @param http limits on incoming requests
 * @param jobs how durable jobs run on this process
 * @param services base URLs of the other services, by name, for the typed clients
 */
@Validated
@ConfigurationProperties("lmlab")
public record PlatformProperties(
        @DefaultValue Service service,
        String internalToken,
        @DefaultValue("./data") String home,
        @DefaultValue Http http,
        @DefaultValue Jobs jobs,
        Map<String, URI> services) {

    public PlatformProperties {
        services = services == null ? Map.of() : Map.copyOf(services);
    }

    /**
     * @param name lower-case service name, also its database schema
     * @param capabilities what the service offers, as listed by {@code GET /info}
     * @param internalTokenRequired whether calls must carry the internal token (false only on the gateway,
     *     which authenticates API keys instead)
     */
    public record Service(
            @NotBlank @Pattern(regexp = "[a-z][a-z0-9_]{0,30}") @DefaultValue("service")
            String name,

            @DefaultValue List<String> capabilities,
            @DefaultValue("true") boolean internalTokenRequired) {}

    /** @param maxBodySize requests with a larger body are refused with 413 */
    public record Http(@DefaultValue("16MB") DataSize maxBodySize) {}

    /**
     * @param enabled whether this process executes durable jobs
     * @param maxAttempts how many workers may take a job before it is failed (a worker dying mid-job counts)
     * @param metricFlushInterval buffered metric points are written at least this often
     * @param progressInterval progress events are written at most this often
     * @param leaseCheckInterval how often a running job renews its heartbeat and reads the cancel flag
     * @param failureRetryDelay when the job machinery itself fails (database gone), retry after this long
     */
    public record Jobs(
            @DefaultValue("true") boolean enabled,
            @Min(1) @DefaultValue("3") int maxAttempts,
            @DefaultValue("1s") Duration metricFlushInterval,
            @DefaultValue("250ms") Duration progressInterval,
            @DefaultValue("250ms") Duration leaseCheckInterval,
            @DefaultValue("10s") Duration failureRetryDelay) {}
}
