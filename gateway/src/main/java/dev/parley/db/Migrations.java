package dev.parley.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/** Applies sql/ (packaged as classpath:db/migration) with the admin login. */
public final class Migrations {
    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {
    }

    /**
     * Flyway points search_path at its own schema (parley, where its history table lives). Each
     * migration must run as it would in psql, so unqualified names land in public.
     */
    private static final class DefaultSearchPath implements Callback {
        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.BEFORE_EACH_MIGRATE;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            try (var st = context.getConnection().createStatement()) {
                st.execute("set search_path to \"$user\", public");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("could not reset search_path: " + e.getMessage(), e);
            }
        }

        @Override
        public String getCallbackName() {
            return "parley-default-search-path";
        }
    }

    public static void apply(DataSource admin) {
        MigrateResult result = Flyway.configure()
                .dataSource(admin)
                .locations("classpath:db/migration")
                // The files must stay plain SQL that psql applies as they are: no ${placeholders}.
                .placeholderReplacement(false)
                .schemas("parley")
                .table("schema_history")
                .createSchemas(true)
                .baselineOnMigrate(false)
                // Versions are numbered by area (V10-19 realtime, V20-29 auth, V30-39 storage,
                // V40-59 chat), so a new realtime migration can be lower than a chat one a
                // database already has: apply it anyway instead of refusing to start.
                .outOfOrder(true)
                .callbacks(new DefaultSearchPath())
                .load()
                .migrate();
        log.info("database schema at version {} ({} migrations applied now)",
                result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion, result.migrationsExecuted);
    }
}
