-- Keyset pagination reads orders by (created_at, id), newest first. A B-tree can be read
-- backwards, so an ascending index serves ORDER BY created_at DESC, id DESC too, and
-- WHERE (created_at, id) < ($1, $2) starts right at the cursor.

