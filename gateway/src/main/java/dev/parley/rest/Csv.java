package dev.parley.rest;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/** Renders a result set as CSV (RFC 4180): a header line, then one line per row; null is empty. */
final class Csv {
    private Csv() {
    }

    static Page render(ResultSet rs, Long total) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            if (i > 1) out.append(',');
            out.append(field(meta.getColumnLabel(i)));
        }
        long rows = 0;
        while (rs.next()) {
            out.append('\n');
            for (int i = 1; i <= n; i++) {
                if (i > 1) out.append(',');
                String v = rs.getString(i);
                if (v != null) out.append(field(v));
            }
            rows++;
        }
        return new Page(total, rows, out.toString());
    }

    private static String field(String v) {
        if (v.isEmpty() || v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }
}
