package dev.parley.db;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/** One SQL statement with {@code ?} placeholders and the values that go with them. */
public interface BoundStatement {
    String text();

    /** Binds the values in text order, the first to parameter {@code first}. */
    void bind(PreparedStatement st, int first) throws SQLException;
}
