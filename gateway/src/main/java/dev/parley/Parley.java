package dev.parley;

import dev.parley.config.Config;
import dev.parley.config.ConfigException;

/** main: config, then the gateway, then wait for Ctrl-C / SIGTERM. Nothing else. */
public final class Parley {
    private Parley() {
    }

    public static void main(String[] args) {
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        Config config;
        try {
            config = Config.fromEnvironment();
        } catch (ConfigException e) {
            System.err.println("parley: " + e.getMessage());
            System.exit(2);
            return;
        }
        Gateway gateway;
        try {
            gateway = Gateway.start(config);
        } catch (ConfigException e) {
            System.err.println("parley: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            System.err.println("parley: could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "parley-shutdown"));
        printBanner(gateway);
    }

    private static void printBanner(Gateway g) {
        Config c = g.context().config();
        String base = "http://localhost:" + g.port();
        StringBuilder b = new StringBuilder();
        b.append("\nParley is running\n");
        b.append("  API URL:          ").append(base).append('\n');
        b.append("  REST:             ").append(base).append("/rest/v1/\n");
        b.append("  Realtime:         ws://localhost:").append(g.port()).append("/realtime/v1/websocket\n");
        b.append("  Chat app:         ").append(base).append("/\n");
        b.append("  anon key:         ").append(g.anonKey()).append('\n');
        b.append("  service_role key: ").append(g.serviceRoleKey()).append('\n');
        if (c.embeddedDatabase()) {
            b.append("  psql:             psql -h 127.0.0.1 -p ").append(g.context().database().adminUrl().port())
                    .append(" -U postgres\n");
            b.append("  data directory:   ").append(c.dataDir()).append('\n');
        } else {
            b.append("  database:         ").append(c.databaseUrl()).append('\n');
        }
        System.out.println(b);
    }
}
