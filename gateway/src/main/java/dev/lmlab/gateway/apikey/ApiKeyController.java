package dev.lmlab.gateway.apikey;

import dev.lmlab.platform.web.ApiException;
import dev.lmlab.platform.web.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.constraints.NotEmpty;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Key management for admins: {@code /api/keys}. */
@RestController
@RequestMapping("/api/keys")
class ApiKeyController {

    private final ApiKeyService keys;

    ApiKeyController(ApiKeyService keys) {
        this.keys = keys;
    }

    /** @param scopes any of read, write, admin */
    record CreateKey(String name, @NotEmpty List<String> scopes, Integer rateLimitPerMinute) {}

    /** A key as listed; {@code key} (the secret) is present only in the response that created it. */
    record KeyView(
            UUID id,
            String name,
            String prefix,
            List<String> scopes,
            Integer rateLimitPerMinute,
            String createdBy,
            Instant createdAt,
            Instant lastUsedAt,
            Instant revokedAt,
            String key) {

        static KeyView of(ApiKey k, String secret) {
            return new KeyView(
                    k.id(),
                    k.name(),
                    k.prefix(),
                    k.scopes().stream().map(Scope::value).sorted().toList(),
                    k.rateLimitPerMinute(),
                    k.createdBy(),
                    k.createdAt(),
                    k.lastUsedAt(),
                    k.revokedAt(),
                    secret);
        }
    }

    @Operation(summary = "Create an API key (admin); the secret is in this response only")
    @PostMapping
    ResponseEntity<KeyView> create(@RequestBody CreateKey request, HttpServletRequest http) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String s : request.scopes() == null ? List.<String>of() : request.scopes()) {
            try {
                scopes.add(Scope.parse(s));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid-scopes", e.getMessage());
            }
        }
        ApiKeyService.Created created = keys.create(
                request.name(),
                scopes,
                request.rateLimitPerMinute(),
                Caller.of(http).keyName());
        return ResponseEntity.status(HttpStatus.CREATED).body(KeyView.of(created.key(), created.secret()));
    }

    @Operation(summary = "List API keys (admin), without their secrets")
    @GetMapping
    List<KeyView> list(@RequestParam(name = "include_revoked", defaultValue = "false") boolean includeRevoked) {
        return keys.list(includeRevoked).stream().map(k -> KeyView.of(k, null)).toList();
    }

    @Operation(summary = "Revoke an API key (admin)")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> revoke(@PathVariable UUID id, HttpServletRequest http) {
        keys.revoke(id, Caller.of(http).keyName());
        return ResponseEntity.noContent().build();
    }
}
