package dev.lmlab.platform.testapp;

import dev.lmlab.platform.web.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Reports what reached the test service, for tests of headers that travel between services. */
@RestController
class EchoController {

    @GetMapping("/test/echo")
    Map<String, String> echo(HttpServletRequest request) {
        Caller caller = Caller.of(request);
        return Map.of(
                "request_id", String.valueOf(request.getHeader("X-Request-Id")),
                "key_name", caller.keyName(),
                "scopes", caller.scopesHeader());
    }
}
