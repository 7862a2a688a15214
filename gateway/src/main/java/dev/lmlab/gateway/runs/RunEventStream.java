package dev.lmlab.gateway.runs;

import dev.lmlab.gateway.GatewayProperties;
import dev.lmlab.platform.run.RunEvent;
import dev.lmlab.platform.run.RunRegistry;
import dev.lmlab.platform.run.RunStatus;
import dev.lmlab.platform.web.ApiException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Streams run events to SSE clients as they are written, by any service. Each insert into {@code
 * registry.run_events} fires a PostgreSQL NOTIFY; one LISTEN connection per gateway wakes the streams of that
 * run, which read their new events from the table. A periodic sweep covers notifications missed while the
 * LISTEN connection was down. A stream ends after its run's final status event.
 */
@Component
class RunEventStream implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RunEventStream.class);
    private static final String CHANNEL = "lmlab_run_events";
    private static final int BATCH = 500;

    private final RunRegistry registry;
    private final DataSourceProperties database;
    private final GatewayProperties.Events config;
    private final Map<UUID, Set<Subscriber>> subscribers = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final ThreadPoolExecutor delivery;
    private final ScheduledExecutorService timer;
    private volatile boolean running;
    private Thread listener;

    RunEventStream(RunRegistry registry, DataSourceProperties database, GatewayProperties properties) {
        this.registry = registry;
        this.database = database;
        this.config = properties.events();
        this.delivery = new ThreadPoolExecutor(
                2, 8, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("run-events-delivery"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("run-events-timer"));
    }

    SseEmitter subscribe(UUID runId, long afterSeq) {
        if (open.incrementAndGet() > config.maxSubscribers()) {
            open.decrementAndGet();
            throw new ApiException(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "too-many-streams",
                            "This gateway serves " + config.maxSubscribers() + " event streams at most; retry soon.")
                    .with("retry_after_seconds", 5);
        }
        SseEmitter emitter = new SseEmitter(0L);
        Subscriber s = new Subscriber(runId, afterSeq, emitter);
        subscribers.computeIfAbsent(runId, id -> ConcurrentHashMap.newKeySet()).add(s);
        emitter.onCompletion(() -> remove(s));
        emitter.onTimeout(() -> remove(s));
        emitter.onError(e -> remove(s));
        schedule(s);
        return emitter;
    }

    int openStreams() {
        return open.get();
    }

    private void remove(Subscriber s) {
        if (s.closed.compareAndSet(false, true)) {
            open.decrementAndGet();
            subscribers.computeIfPresent(s.runId, (id, set) -> {
                set.remove(s);
                return set.isEmpty() ? null : set;
            });
        }
    }

    private void wake(UUID runId) {
        Set<Subscriber> set = subscribers.get(runId);
        if (set != null) {
            set.forEach(this::schedule);
        }
    }

    private void schedule(Subscriber s) {
        if (!s.closed.get() && s.pending.compareAndSet(false, true)) {
            delivery.execute(s::drain);
        }
    }

    /** One client's stream: sends every event after {@code lastSeq}, in order, exactly once. */
    private final class Subscriber {
        final UUID runId;
        final SseEmitter emitter;
        final AtomicBoolean pending = new AtomicBoolean();
        final AtomicBoolean closed = new AtomicBoolean();
        long lastSeq;
        boolean first = true;

        Subscriber(UUID runId, long lastSeq, SseEmitter emitter) {
            this.runId = runId;
            this.lastSeq = lastSeq;
            this.emitter = emitter;
        }

        synchronized void drain() {
            pending.set(false);
            if (closed.get()) {
                return;
            }
            try {
                boolean sentAny = false;
                List<RunEvent> batch;
                do {
                    batch = registry.events(runId, lastSeq, BATCH);
                    for (RunEvent e : batch) {
                        emitter.send(SseEmitter.event()
                                .id(String.valueOf(e.seq()))
                                .name(e.type())
                                .data(e, MediaType.APPLICATION_JSON));
                        lastSeq = e.seq();
                        sentAny = true;
                        if (isFinal(e)) {
                            emitter.complete();
                            remove(this);
                            return;
                        }
                    }
                } while (batch.size() == BATCH);
                // a client that resumes after the end gets nothing new: close it rather than hang
                if (first && !sentAny && registry.get(runId).status().isTerminal()) {
                    emitter.complete();
                    remove(this);
                }
                first = false;
            } catch (IOException | IllegalStateException e) {
                remove(this);
            } catch (RuntimeException e) {
                log.warn("Event stream of run {} failed: {}", runId, e.getMessage());
                emitter.completeWithError(e);
                remove(this);
            }
        }

        synchronized void heartbeat() {
            if (closed.get()) {
                return;
            }
            try {
                emitter.send(SseEmitter.event().comment("keep-alive"));
            } catch (IOException | IllegalStateException e) {
                remove(this);
            }
        }
    }

    private static boolean isFinal(RunEvent e) {
        if (!"status".equals(e.type()) || e.data() == null || !e.data().has("status")) {
            return false;
        }
        try {
            return RunStatus.parse(e.data().get("status").asString()).isTerminal();
        } catch (IllegalArgumentException ignored) {
            return false;
        }
    }

    // ---- LISTEN loop and timers

    @Override
    public void start() {
        running = true;
        listener = new Thread(this::listen, "run-events-listener");
        listener.setDaemon(true);
        listener.start();
        long sweep = config.sweep().toMillis();
        long beat = config.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(
                () -> subscribers.values().forEach(set -> set.forEach(s -> delivery.execute(s::heartbeat))),
                beat,
                beat,
                TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        subscribers.values().forEach(set -> set.forEach(this::schedule));
    }

    private void listen() {
        while (running) {
            try (Connection c = DriverManager.getConnection(
                    database.determineUrl(), database.determineUsername(), database.determinePassword())) {
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                sweep();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications == null) {
                        continue;
                    }
                    for (PGNotification n : notifications) {
                        try {
                            wake(UUID.fromString(n.getParameter()));
                        } catch (IllegalArgumentException ignored) {
                            // not one of ours
                        }
                    }
                }
            } catch (SQLException e) {
                if (running) {
                    log.warn(
                            "Run event LISTEN connection failed ({}); streams fall back to polling every {} until"
                                    + " it is back",
                            e.getMessage(),
                            config.sweep());
                    sleepQuietly(2000);
                }
            }
        }
    }

    @Override
    public void stop() {
        running = false;
        timer.shutdownNow();
        subscribers
                .values()
                .forEach(set -> set.forEach(s -> {
                    s.emitter.complete();
                    remove(s);
                }));
        delivery.shutdown();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
