package dev.lmlab.platform.info;

import dev.lmlab.platform.config.PlatformProperties;
import dev.lmlab.platform.job.JobCatalog;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /info}: which service this is, its version and what it can do. */
@RestController
class ServiceInfoController {

    private final PlatformProperties properties;
    private final String version;
    private final ObjectProvider<JobCatalog> jobs;
    private final ObjectProvider<ServiceInfoContributor> contributors;
    private final Instant startedAt = Instant.now();

    ServiceInfoController(
            PlatformProperties properties,
            ObjectProvider<BuildProperties> build,
            ObjectProvider<JobCatalog> jobs,
            ObjectProvider<ServiceInfoContributor> contributors) {
        this.properties = properties;
        this.version = Optional.ofNullable(build.getIfAvailable())
                .map(BuildProperties::getVersion)
                .orElse("development");
        this.jobs = jobs;
        this.contributors = contributors;
    }

    @Operation(summary = "Service name, version, capabilities and job kinds")
    @GetMapping("/info")
    Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", properties.service().name());
        info.put("version", version);
        List<String> capabilities = new ArrayList<>(properties.service().capabilities());
        JobCatalog catalog = jobs.getIfAvailable();
        if (catalog != null) {
            capabilities.add("jobs");
            info.put("job_kinds", catalog.kinds());
        }
        info.put("capabilities", capabilities);
        info.put("started_at", startedAt);
        info.put("java", Runtime.version().toString());
        contributors.orderedStream().forEach(c -> info.putAll(c.info()));
        return info;
    }
}
