package dev.lmlab.inference.openai;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * Server-sent events in OpenAI's framing ({@code data: <json>}, blank line, {@code data: [DONE]} last). The model's
 * thread only queues events; a request thread writes them, so a slow client never stalls the batch. When the
 * client goes away the write fails and {@code onDisconnect} frees the request's place in the batch.
 */
final class EventStream implements StreamingResponseBody {

    static final String DONE = "[DONE]";

    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final Runnable onDisconnect;

    EventStream(Runnable onDisconnect) {
        this.onDisconnect = onDisconnect;
    }

    void send(String json) {
        events.add(json);
    }

    void done() {
        events.add(DONE);
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        try {
            while (true) {
                String event = events.poll(15, TimeUnit.SECONDS);
                if (event == null) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8)); // also detects a gone client
                    out.flush();
                    continue;
                }
                out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
                if (events.isEmpty()) {
                    out.flush();
                }
                if (event.equals(DONE)) {
                    out.flush();
                    return;
                }
            }
        } catch (IOException e) {
            onDisconnect.run();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onDisconnect.run();
        }
    }
}
