package dev.parley.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Realtime load against a gateway on this machine (bench/realtime/run.sh sets the scene):
 *
 * <ul>
 *   <li>{@code idle}: holds --sockets sockets, each joined to one topic, heartbeating.</li>
 *   <li>{@code broadcast}: sockets join private topics (authorized once at join); the driver
 *       calls realtime.send at --rate sends/s; reports deliveries/s and send-to-client latency.</li>
 *   <li>{@code changes}: each socket is a distinct user subscribed to postgres_changes on
 *       bench_items, whose RLS joins a membership table; the driver inserts --rate rows/s; reports
 *       RLS-checked deliveries/s and latency (no expected count: which subscribers may see a row is
 *       RLS's answer; with bench/schema.sql each row reaches the members of its room, about a
 *       tenth of the subscribers).</li>
 * </ul>
 * Loopback only: the target must be 127.0.0.0/8.
 */
public final class LoadTool {
    private final Map<String, String> opts;
    private final LongAdder delivered = new LongAdder();
    private final LatencyHistogram latency = new LatencyHistogram();
    private volatile boolean measuring;
    /** The measured window, in the driver's send-time clock: only commits stamped inside it count. */
    private volatile long windowFromMicros = Long.MAX_VALUE;
    private volatile long windowToMicros = Long.MAX_VALUE;

    private LoadTool(Map<String, String> opts) {
        this.opts = opts;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: parley-load idle|broadcast|changes [--url=http://127.0.0.1:54321] [--secret-file=.parley/jwt-secret]"
                    + " [--db=jdbc:postgresql://127.0.0.1:54322/postgres] [--sockets=1000] [--topics=1] [--rate=100] [--seconds=20]"
                    + " [--source-addresses=1] [--source-offset=0] [--client-threads=2] [--cpu-pids=gateway:<pid>,postgres:<postmaster pid>]");
            System.exit(2);
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i].replaceFirst("^--", "");
            int eq = a.indexOf('=');
            opts.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "true" : a.substring(eq + 1));
        }
        new LoadTool(opts).run(args[0]);
        System.exit(0);
    }

    private String opt(String name, String fallback) {
        return opts.getOrDefault(name, fallback);
    }

    private int intOpt(String name, int fallback) {
        return Integer.parseInt(opt(name, String.valueOf(fallback)));
    }

    private void run(String scenario) throws Exception {
        URI base = URI.create(opt("url", "http://127.0.0.1:54321"));
        if (!base.getHost().startsWith("127.") && !base.getHost().equals("localhost")) {
            throw new IllegalArgumentException("load is only ever sent to loopback addresses");
        }
        String secret = opts.containsKey("secret") ? opt("secret", null)
                : Files.readString(Path.of(opt("secret-file", ".parley/jwt-secret"))).trim();
        int sockets = intOpt("sockets", 1000);
        int topics = intOpt("topics", 1);
        int seconds = intOpt("seconds", 20);
        int sources = intOpt("source-addresses", 1);
        EventLoopGroup group = new NioEventLoopGroup(intOpt("client-threads", 2));
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(1);
        // heartbeats start before the joins: joining many sockets can outlast the server's heartbeat timeout
        List<PhoenixClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();
        timers.scheduleAtFixedRate(() -> clients.forEach(PhoenixClient::heartbeat), 20, 20, TimeUnit.SECONDS);
        int offset = intOpt("source-offset", 0);
        long t0 = System.nanoTime();
        // connects and joins pipelined, at most 200 in flight: the rate is the gateway's, not one round trip's
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(200);
        List<CompletableFuture<JsonNode>> joins = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) throw new IllegalStateException("joins stalled at socket " + i);
            String token = token(secret, i);
            URI ws = URI.create("ws://" + base.getHost() + ":" + base.getPort()
                    + "/realtime/v1/websocket?vsn=1.0.0&apikey=" + token);
            PhoenixClient client = new PhoenixClient(this::onMessage, this::onTick);
            InetSocketAddress local = sources <= 1 && offset == 0 ? null
                    : new InetSocketAddress("127.0.0." + (2 + offset + i % Math.max(1, sources)), 0);
            String topic = topicFor(scenario, i, topics);
            ObjectNode payload = joinPayload(scenario, token);
            CompletableFuture<JsonNode> joined = client.connect(group, ws, local).thenCompose(v -> {
                clients.add(client);
                return client.join(topic, payload);
            });
            joined.whenComplete((r, e) -> inFlight.release());
            joins.add(joined);
        }
        int failed = 0;
        for (CompletableFuture<JsonNode> j : joins) {
            try {
                j.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (failed++ == 0) System.err.println("first failed join: " + e);
            }
        }
        double took = (System.nanoTime() - t0) / 1e9;
        System.out.printf("joined %d sockets in %.1f s (%.0f connects+joins/s), %d failed%n",
                sockets - failed, took, (sockets - failed) / took, failed);

        switch (scenario) {
            case "idle" -> hold(clients, seconds);
            case "broadcast", "changes" -> drive(scenario, sockets, topics, seconds);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        long open = clients.stream().filter(PhoenixClient::isOpen).count();
        System.out.printf("sockets still open at the end: %d of %d%n", open, sockets);
        clients.forEach(PhoenixClient::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        timers.shutdownNow();
    }

    private static String topicFor(String scenario, int i, int topics) {
        return switch (scenario) {
            case "changes" -> "realtime:changes-" + i;
            case "broadcast" -> "realtime:bench-" + (i % topics);
            default -> "realtime:idle-" + (i % topics);
        };
    }

    private static ObjectNode joinPayload(String scenario, String token) {
        ObjectNode payload = PhoenixClient.JSON.createObjectNode();
        ObjectNode config = payload.putObject("config");
        config.putObject("broadcast").put("self", false).put("ack", false);
        config.putObject("presence").put("key", "");
        ArrayNode changes = config.putArray("postgres_changes");
        if (scenario.equals("changes")) {
            changes.addObject().put("event", "INSERT").put("schema", "public").put("table", "bench_items");
        }
        config.put("private", scenario.equals("broadcast"));
        payload.put("access_token", token);
        return payload;
    }

    /** User i of the benchmark schema: 00000000-0000-0000-0000-{i as 12 hex digits}. */
    static String userId(int i) {
        return String.format("00000000-0000-0000-0000-%012x", i);
    }

    private static String token(String secret, int i) {
        long now = Instant.now().getEpochSecond();
        return Jwts.builder().claim("sub", userId(i)).claim("role", "authenticated").claim("aud", "authenticated")
                .issuedAt(new Date(now * 1000)).expiration(new Date((now + 7200) * 1000))
                .signWith(Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256).compact();
    }

    /** A broadcast tick read by the fast path: counted like any broadcast. */
    private void onTick(long sentMicros) {
        if (!measuring || !inWindow(sentMicros)) return;
        delivered.increment();
        latency.record(nowMicros() - sentMicros);
    }

    private boolean inWindow(long sentMicros) {
        return sentMicros >= windowFromMicros && sentMicros < windowToMicros;
    }

    private void onMessage(JsonNode msg) {
        if (!measuring) return;
        String event = msg.path("event").asText();
        JsonNode sent;
        if (event.equals("broadcast")) {
            sent = msg.path("payload").path("payload").path("t");
        } else if (event.equals("postgres_changes")) {
            JsonNode record = msg.path("payload").path("data").path("record");
            sent = record.path("sent_micros");
        } else {
            return;
        }
        if (!sent.isNumber() || !inWindow(sent.asLong())) return;
        delivered.increment();
        latency.record(nowMicros() - sent.asLong());
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    private void hold(List<PhoenixClient> clients, int seconds) throws InterruptedException {
        System.out.printf("holding %d sockets for %d s (measure the gateway's heap now)%n", clients.size(), seconds);
        Thread.sleep(seconds * 1000L);
    }

    /** Commits at --rate per second for --seconds after a 3 s warm-up, then reports. */
    private void drive(String scenario, int sockets, int topics, int seconds) throws Exception {
        int rate = intOpt("rate", 100);
        String db = opt("db", "jdbc:postgresql://127.0.0.1:54322/postgres");
        String sql = scenario.equals("broadcast")
                ? "select realtime.send(jsonb_build_object('t', ?::bigint), 'tick', 'bench-' || ?, true)"
                : "insert into bench_items (room_id, author, body, sent_micros) values (?, '" + userId(0) + "', 'load', ?)";
        int threads = Math.max(1, Math.min(8, rate / 200 + 1));
        long expectedPerCommit = scenario.equals("broadcast") ? sockets / Math.max(1, topics) : -1;
        LongAdder commits = new LongAdder();
        List<Thread> drivers = new ArrayList<>();
        long startNanos = System.nanoTime();
        long startMicros = nowMicros();
        long warmupEnd = startNanos + 3_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        windowFromMicros = startMicros + (warmupEnd - startNanos) / 1000;
        windowToMicros = startMicros + (end - startNanos) / 1000;
        for (int t = 0; t < threads; t++) {
            final int id = t;
            Thread th = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(db, "postgres", "");
                     PreparedStatement st = c.prepareStatement(sql)) {
                    long intervalNanos = 1_000_000_000L * threads / rate;
                    long next = System.nanoTime();
                    int n = 0;
                    while (System.nanoTime() < end) {
                        long now = System.nanoTime();
                        if (now < next) {
                            TimeUnit.NANOSECONDS.sleep(next - now);
                        }
                        next += intervalNanos;
                        long sent = nowMicros();
                        if (scenario.equals("broadcast")) {
                            st.setLong(1, sent);
                            st.setInt(2, (id + n * threads) % Math.max(1, topics));
                        } else {
                            st.setInt(1, 1 + (id + n * threads) % 100);
                            st.setLong(2, sent);
                        }
                        st.execute();
                        n++;
                        if (inWindow(sent)) commits.increment();
                    }
                } catch (Exception e) {
                    System.err.println("driver failed: " + e);
                }
            }, "driver-" + t);
            th.start();
            drivers.add(th);
        }
        CpuMeter cpu = new CpuMeter(opt("cpu-pids", ""));
        while (System.nanoTime() < warmupEnd) Thread.sleep(10);
        measuring = true;
        cpu.start();
        // the CPU split of the driving window, read before the drivers disconnect (a backend that
        // has ended but is not yet reaped by the postmaster would count nowhere)
        TimeUnit.NANOSECONDS.sleep(Math.max(0, end - System.nanoTime()));
        String cpuSplit = cpu.report();
        for (Thread th : drivers) th.join();
        Thread.sleep(2000); // let in-flight deliveries of the window's last commits arrive
        measuring = false;
        double secs = seconds;
        long got = delivered.sum();
        // deliveries: of the commits made in the window, those read by the client by 2 s after it
        System.out.printf("scenario=%s sockets=%d topics=%d commits=%d (%.0f/s) deliveries=%d (%.0f/s)%n",
                scenario, sockets, topics, commits.sum(), commits.sum() / secs, got, got / secs);
        if (expectedPerCommit > 0) {
            System.out.printf("expected deliveries=%d%n", commits.sum() * expectedPerCommit);
        }
        System.out.printf("latency send->client: p50=%.2f ms p99=%.2f ms p99.9=%.2f ms max-bucket samples=%d%n",
                latency.percentileMillis(0.50), latency.percentileMillis(0.99), latency.percentileMillis(0.999),
                latency.count());
        System.out.println("cpu: " + cpuSplit);
    }
}
