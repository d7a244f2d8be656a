package dev.parley.storage;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * A bucket's public flag and limits, read with the admin login as Supabase reads them (its
 * "superuser" lookup): uploads must know the limits whatever the caller may see, and downloads
 * from a public bucket skip RLS. Nothing read here is returned to the caller beyond existence.
 */
final class BucketLookup {
    record Bucket(String id, boolean isPublic, Long fileSizeLimit, List<String> allowedMimeTypes) {
        /** The effective limit: the bucket's, never above the gateway's. */
        long limit(long global) {
            return fileSizeLimit == null ? global : Math.min(fileSizeLimit, global);
        }
    }

    private final DataSource admin;

    BucketLookup(DataSource admin) {
        this.admin = admin;
    }

    /** The bucket, or a 404 "Bucket not found". */
    Bucket require(String id) throws SQLException {
        Bucket b = find(id);
        if (b == null) throw StorageError.bucketNotFound();
        return b;
    }

    Bucket find(String id) throws SQLException {
        try (Connection c = admin.getConnection();
             PreparedStatement st = c.prepareStatement(
                     "select id, public, file_size_limit, allowed_mime_types from storage.buckets where id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) return null;
                long limit = rs.getLong(3);
                Long fileSizeLimit = rs.wasNull() ? null : limit;
                Array types = rs.getArray(4);
                List<String> mime = types == null ? null : Arrays.asList((String[]) types.getArray());
                return new Bucket(rs.getString(1), rs.getBoolean(2), fileSizeLimit, mime);
            }
        }
    }
}
