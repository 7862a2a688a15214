package dev.lmlab.platform.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lmlab.platform.testapp.TestServiceApplication;
import dev.lmlab.platform.web.Caller;
import dev.lmlab.platform.web.RequestIdFilter;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/** A service calling a peer (here: itself, over real HTTP) passes the token, the request id and the caller on. */
@SpringBootTest(classes = TestServiceApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServiceClientsTest {

    @Autowired
    ServiceClients clients;

    @LocalServerPort
    int port;

    @Test
    void callsCarryTheInternalTokenTheRequestIdAndTheCaller() {
        MockHttpServletRequest incoming = new MockHttpServletRequest();
        new Caller("key-1", "alice", Set.of("read", "write")).attachTo(incoming);
        RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(incoming));
        MDC.put(RequestIdFilter.MDC_KEY, "chain-7");
        try {
            Map<String, String> seen = clients.forUrl(URI.create("http://127.0.0.1:" + port))
                    .get()
                    .uri("/test/echo")
                    .retrieve()
                    .body(new ParameterizedTypeReference<>() {});

            assertThat(seen)
                    .containsEntry("request_id", "chain-7")
                    .containsEntry("key_name", "alice")
                    .containsEntry("scopes", "read,write");
        } finally {
            MDC.remove(RequestIdFilter.MDC_KEY);
            RequestContextHolder.resetRequestAttributes();
        }
    }

    @Test
    void anUnconfiguredServiceNameSaysWhatToSet() {
        assertThatThrownBy(() -> clients.forService("nowhere")).hasMessageContaining("lmlab.services.nowhere");
    }
}
