package dev.lmlab.gatewaytest.upstream;

import dev.lmlab.platform.web.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A real platform-common service for the gateway tests, with one extra endpoint that reports what reached it
 * through the gateway.
 */
@SpringBootApplication
public class UpstreamServiceApplication {

    @RestController
    static class EchoController {
        @GetMapping("/echo")
        Map<String, Object> echo(HttpServletRequest request) {
            Caller caller = Caller.of(request);
            Map<String, Object> seen = new LinkedHashMap<>();
            seen.put("request_id", request.getHeader("X-Request-Id"));
            seen.put("authorization", request.getHeader("Authorization"));
            seen.put("key_id", caller.keyId());
            seen.put("key_name", caller.keyName());
            seen.put("scopes", caller.scopesHeader());
            seen.put("path", request.getRequestURI());
            return seen;
        }
    }
}
