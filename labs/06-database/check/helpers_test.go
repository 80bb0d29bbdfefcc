//go:build labcheck

package main

// Helpers of the hidden tests. Every name here starts with "lab" so that it cannot clash with
// a name in the learner's package.
//
// Each test gets a schema of its own (lab_<random>), with the learner's migrations/*.sql
// applied in name order, and drops it when it ends. The tests of indexes and keyset pagination
// also read one big schema (100,000 orders), seeded once per test binary and only read.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// labLimit bounds every call into the learner's code and every setup step. It is a safety net
// only, never a synchronisation: passing code never comes near it. It turns a hang (a
// transaction never committed, a lock never released) into a clear failure.
const labLimit = 20 * time.Second

func TestMain(m *testing.M) {
	code := m.Run()
	labDropBig()
	os.Exit(code)
}

func labURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		t.Fatal("DATABASE_URL is not set: these tests need PostgreSQL. `lab check` starts one for you; " +
			"by hand, run PostgreSQL and export DATABASE_URL=postgres://user:password@localhost:5432/dbname?sslmode=disable")
	}
	return url
}

func labRandomSchema(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// labConnect opens a connection of the tests (no tracer) whose search_path is schema, and
// creates the schema.
func labConnect(ctx context.Context, url, schema string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	cfg.RuntimeParams["search_path"] = schema
	// Nothing of a test needs to survive a crash of the server: do not wait for the disk at
	// each commit (reads and locks behave the same).
	cfg.RuntimeParams["synchronous_commit"] = "off"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot reach PostgreSQL (DATABASE_URL): %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("CREATE SCHEMA %s: %w", schema, err)
	}
	return conn, nil
}

// labDB is the schema of one test and the tests' own connection to it.
type labDB struct {
	t      *testing.T
	task   string
	url    string
	schema string
	conn   *pgx.Conn
}

// labNewDB makes a fresh schema, applies the learner's migrations to it and drops it when the
// test ends.
func labNewDB(t *testing.T, task string) *labDB {
	t.Helper()
	db := &labDB{t: t, task: task, url: labURL(t), schema: labRandomSchema("lab_")}
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	conn, err := labConnect(ctx, db.url, db.schema)
	if err != nil {
		t.Fatal(err)
	}
	db.conn = conn
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), labLimit)
		defer cancel()
		// A transaction the learner's code left open holds locks that DROP SCHEMA would wait for.
		_, _ = conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE application_name = $1 AND pid <> pg_backend_pid()`, labAppName(db.schema))
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+db.schema+" CASCADE"); err != nil {
			t.Logf("cleaning up: DROP SCHEMA %s: %v", db.schema, err)
		}
		conn.Close(ctx)
	})
	if msg := labApplyMigrations(ctx, conn); msg != "" {
		t.Fatal(msg)
	}
	return db
}

// labMigrationFiles are the learner's migrations/*.sql in name order. The tests run in the
// lab folder, so the path is relative to it.
func labMigrationFiles() ([]string, error) {
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	if len(files) == 0 {
		wd, _ := os.Getwd()
		return nil, fmt.Errorf("no migrations/*.sql in %s: the tests apply the SQL files of the migrations folder next to your Go files, in name order", wd)
	}
	return files, nil
}

// labApplyMigrations applies every migration through conn, each file as one simple query (so
// one implicit transaction), and returns a message saying what went wrong, or "".
func labApplyMigrations(ctx context.Context, conn *pgx.Conn) string {
	files, err := labMigrationFiles()
	if err != nil {
		return err.Error()
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			return err.Error()
		}
		if _, err := conn.Exec(ctx, string(src)); err != nil {
			return labMigrationError(file, string(src), err)
		}
	}
	return ""
}

func labMigrationError(file, src string, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "applying %s: %v", file, err)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Position > 0 {
		runes := []rune(src)
		pos := min(int(pgErr.Position)-1, len(runes))
		line := 1 + strings.Count(string(runes[:pos]), "\n")
		lines := strings.Split(src, "\n")
		fmt.Fprintf(&b, "\n    at line %d: %s", line, strings.TrimSpace(lines[line-1]))
	}
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "concurrently"):
		b.WriteString("\nhint: each migration file runs as one transaction here, and CREATE INDEX CONCURRENTLY cannot run inside one: write CREATE INDEX (the lesson says when CONCURRENTLY matters)")
	case strings.Contains(msg, "does not exist") && strings.Contains(strings.ToLower(src), "public."):
		b.WriteString("\nhint: the tests apply your migrations in a schema of their own: write customers, not public.customers")
	case strings.Contains(msg, "does not exist"):
		b.WriteString("\nhint: the files run in name order (001_, 002_, ...) into an empty schema: a table must be created by an earlier file, or earlier in the same file, than where it is used")
	case strings.Contains(msg, "already exists"):
		b.WriteString("\nhint: the files run in name order into an empty schema: is the same table or index created in two files?")
	}
	return b.String()
}

// labShopColumns are the tables and columns the lesson asks for in task schema.
var labShopColumns = []struct {
	table   string
	columns []string
}{
	{"customers", []string{"id", "email", "name"}},
	{"products", []string{"id", "sku", "name", "price_cents"}},
	{"orders", []string{"id", "customer_id", "status", "created_at"}},
	{"order_items", []string{"order_id", "product_id", "quantity", "unit_price_cents"}},
}

// labColumns returns, for each table of the current schema, its columns and their types.
func labColumns(ctx context.Context, conn *pgx.Conn) (map[string]map[string]string, error) {
	rows, err := conn.Query(ctx, `
		SELECT table_name::text, column_name::text, data_type::text
		FROM information_schema.columns
		WHERE table_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	var table, column, typ string
	_, err = pgx.ForEachRow(rows, []any{&table, &column, &typ}, func() error {
		if out[table] == nil {
			out[table] = map[string]string{}
		}
		out[table][column] = typ
		return nil
	})
	return out, err
}

// labShopMissing says which table or column of the shop is missing, or "".
func labShopMissing(ctx context.Context, conn *pgx.Conn) string {
	cols, err := labColumns(ctx, conn)
	if err != nil {
		return "reading information_schema.columns: " + err.Error()
	}
	var missing []string
	for _, tc := range labShopColumns {
		if cols[tc.table] == nil {
			missing = append(missing, "table "+tc.table)
			continue
		}
		for _, c := range tc.columns {
			if _, ok := cols[tc.table][c]; !ok {
				missing = append(missing, tc.table+"."+c)
			}
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "your migrations create no " + strings.Join(missing, ", ")
}

// requireShop stops a test of a later task when the tables of task schema are not there.
func (db *labDB) requireShop() {
	db.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	if msg := labShopMissing(ctx, db.conn); msg != "" {
		db.t.Fatalf("this needs the schema from task schema first: %s (migrations/001_init.sql)", msg)
	}
}

// exec runs a setup statement of the test and stops the test if it fails.
func (db *labDB) exec(sql string, args ...any) {
	db.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	if _, err := db.conn.Exec(ctx, sql, args...); err != nil {
		db.t.Fatalf("setting up: %s: %v\nhint: the tests fill in the columns the lesson names; give any extra NOT NULL column a DEFAULT", labOneLine(sql), err)
	}
}

// ids runs a setup query that returns one bigint per row.
func (db *labDB) ids(sql string, args ...any) []int64 {
	db.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	rows, err := db.conn.Query(ctx, sql, args...)
	if err == nil {
		var ids []int64
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		if err == nil {
			return ids
		}
	}
	db.t.Fatalf("setting up: %s: %v\nhint: the tests fill in the columns the lesson names; give any extra NOT NULL column a DEFAULT", labOneLine(sql), err)
	return nil
}

// newStore builds the learner's Store through newStore, on this test's schema, with tr as the
// tracer, and closes it when the test ends.
func (db *labDB) newStore(tr *labTracer) *Store {
	db.t.Helper()
	return labNewStore(db.t, db.url, db.schema, tr)
}

func labNewStore(t *testing.T, url, schema string, tr *labTracer) *Store {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("DATABASE_URL: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	cfg.ConnConfig.RuntimeParams["application_name"] = labAppName(schema)
	cfg.ConnConfig.Tracer = tr
	cfg.MaxConns = 10
	// A deadlock is found when a lock wait outlasts deadlock_timeout (1s by default): check
	// sooner, so that a check of code that deadlocks ends quickly. Only a superuser may set it;
	// elsewhere the SET fails and the default stays.
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		_, _ = conn.Exec(ctx, "SET deadlock_timeout = '100ms'")
		return nil
	}
	type made struct {
		s   *Store
		err error
	}
	m := labCall(t, "newStore(ctx, cfg)", func(ctx context.Context) made {
		s, err := newStore(ctx, cfg)
		return made{s, err}
	})
	if m.err != nil {
		t.Fatalf("newStore(ctx, cfg): %v\nhint: build the pool from the cfg the tests pass (pgxpool.NewWithConfig(ctx, cfg)): it carries their tracer and their schema", m.err)
	}
	s := m.s
	if s == nil {
		t.Fatalf("newStore(ctx, cfg) returned a nil *Store: the tests need the Store of store.go")
	}
	t.Cleanup(func() {
		if _, leaked := labLeaked.Load(schema); leaked {
			go s.Close() // it would wait forever for the connection that never came back
			return
		}
		// pgxpool's Close waits for every connection to come back to the pool.
		closed := make(chan struct{})
		go func() {
			defer close(closed)
			defer func() { _ = recover() }()
			s.Close()
		}()
		timer := time.NewTimer(10 * time.Second)
		defer timer.Stop()
		select {
		case <-closed:
		case <-timer.C:
			t.Errorf("store.Close() did not return within 10s: a connection was never given back to the pool\n" +
				"hint: every transaction must end with Commit or Rollback (pgx.BeginFunc does it for you), and every Rows must be read to the end or closed (pgx.CollectRows does it)")
		}
	})
	tr.reset()
	return s
}

// labAppName is the application_name of the connections of the learner's pool on a schema,
// which pg_stat_activity shows.
func labAppName(schema string) string { return "lab_store_" + schema }

// labLeaked holds the schemas whose store left a transaction open.
var labLeaked sync.Map

// requireNoOpenTransaction stops the test when a connection of the learner's pool is still
// inside a transaction after the call returned: it holds its locks until it ends.
func (db *labDB) requireNoOpenTransaction(call string) {
	db.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	var open int
	if err := db.conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE application_name = $1 AND state LIKE 'idle in transaction%'`, labAppName(db.schema)).Scan(&open); err != nil {
		db.t.Fatalf("reading pg_stat_activity: %v", err)
	}
	if open > 0 {
		labLeaked.Store(db.schema, true)
		db.t.Fatalf("%s returned, but left %d transaction(s) open: the connection sits \"idle in transaction\" in pg_stat_activity, holding its row locks, and every later transfer of those accounts would wait for it forever\n"+
			"hint: every path out of a transaction must Commit or Rollback: pgx.BeginFunc does both for you, or write defer tx.Rollback(ctx) right after Begin (after a Commit it does nothing)", call, open)
	}
}

// labCall runs f, the learner's code, with a context bounded by labLimit, and turns a panic or
// a hang into a failure of the test.
func labCall[T any](t *testing.T, what string, f func(ctx context.Context) T) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	type result struct {
		v     T
		panic any
		stack string
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{panic: p, stack: labStack()}
			}
		}()
		done <- result{v: f(ctx)}
	}()
	timer := time.NewTimer(labLimit + 5*time.Second)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.panic != nil {
			t.Fatalf("%s panicked: %v\n%s", what, r.panic, r.stack)
		}
		return r.v
	case <-timer.C:
		t.Fatalf("%s did not return within %v: is a transaction left open, or a lock never released?", what, labLimit)
	}
	var zero T
	return zero
}

// labTracer records the statements the learner's pool runs. It implements pgx.QueryTracer
// and pgx.BatchTracer: every statement of a batch counts too.
type labTracer struct {
	mu      sync.Mutex
	queries []labQuery
	// failAt, when positive, makes the failAt-th data statement from now fail: the tracer
	// hands pgx a context that is already cancelled, so the statement is never sent.
	failAt int
	data   int
	failed string
	// pair, when set, forces two concurrent transfers to interleave (see labPair).
	pair *labPair
}

type labQuery struct {
	sql  string
	args []any
}

// labSQLKey carries a statement's text from TraceQueryStart to TraceQueryEnd.
type labSQLKey struct{}

func (tr *labTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	ctx = tr.record(ctx, d.SQL, d.Args)
	tr.mu.Lock()
	pair := tr.pair
	tr.mu.Unlock()
	if pair != nil {
		pair.started(ctx, d.SQL)
	}
	return context.WithValue(ctx, labSQLKey{}, d.SQL)
}

func (tr *labTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	tr.mu.Lock()
	pair := tr.pair
	tr.mu.Unlock()
	if sql, ok := ctx.Value(labSQLKey{}).(string); ok && pair != nil && d.Err == nil {
		pair.ended(ctx, sql) // may hold this transfer here, right after its read
	}
}

func (tr *labTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (tr *labTracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	tr.record(ctx, d.SQL, d.Args)
}

func (tr *labTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (tr *labTracer) record(ctx context.Context, sql string, args []any) context.Context {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.queries = append(tr.queries, labQuery{sql: sql, args: args})
	if labIsControl(sql) {
		return ctx
	}
	tr.data++
	if tr.failAt > 0 && tr.data == tr.failAt {
		tr.failed = sql
		failed, cancel := context.WithCancel(ctx)
		cancel()
		return failed
	}
	return ctx
}

func (tr *labTracer) reset() {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.queries, tr.data, tr.failAt, tr.failed = nil, 0, 0, ""
}

// dataQueries are the recorded statements that are not transaction control (BEGIN, COMMIT,
// ROLLBACK, SAVEPOINT, SET...).
func (tr *labTracer) dataQueries() []labQuery {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []labQuery
	for _, q := range tr.queries {
		if !labIsControl(q.sql) {
			out = append(out, q)
		}
	}
	return out
}

func labIsControl(sql string) bool {
	fields := strings.Fields(strings.ToLower(sql))
	if len(fields) == 0 {
		return true
	}
	switch strings.TrimSuffix(fields[0], ";") {
	case "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release", "set", "reset", "show":
		return true
	}
	return false
}

// labListQueries shows statements compactly, one line each, repeats counted:
//
//  1. SELECT id, customer_id, status, created_at FROM orders WHERE customer_id = $1 ...
//  2. SELECT ... FROM order_items WHERE order_id = $1   (x40)
func labListQueries(qs []labQuery) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(qs); {
		j := i + 1
		for j < len(qs) && qs[j].sql == qs[i].sql {
			j++
		}
		n++
		fmt.Fprintf(&b, "    %d. %s", n, labClip(labOneLine(qs[i].sql), 140))
		if j-i > 1 {
			fmt.Fprintf(&b, "   (x%d)", j-i)
		}
		b.WriteString("\n")
		if n == 12 && j < len(qs) {
			fmt.Fprintf(&b, "    ... and %d more\n", len(qs)-j)
			break
		}
		i = j
	}
	if n == 0 {
		b.WriteString("    (none)\n")
	}
	return b.String()
}

// labOneLine squeezes a statement onto one line.
func labOneLine(sql string) string {
	return strings.Join(strings.Fields(sql), " ")
}

func labClip(s string, max int) string {
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// labPlan is a node of EXPLAIN (FORMAT JSON).
type labPlan struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Index     string     `json:"Index Name"`
	Direction string     `json:"Scan Direction"`
	IndexCond string     `json:"Index Cond"`
	Filter    string     `json:"Filter"`
	SortKey   []string   `json:"Sort Key"`
	Plans     []*labPlan `json:"Plans"`

	table string // the relation the node reads: for a Bitmap Index Scan, its Bitmap Heap Scan's
}

// labExplain runs EXPLAIN (FORMAT JSON) on sql with args. QueryExecModeExec makes PostgreSQL
// plan for these very values (a custom plan), like the first runs of a prepared statement.
func labExplain(ctx context.Context, conn *pgx.Conn, sql string, args ...any) (*labPlan, error) {
	var raw []byte
	err := conn.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+sql, append([]any{pgx.QueryExecModeExec}, args...)...).Scan(&raw)
	if err != nil {
		return nil, err
	}
	var out []struct {
		Plan *labPlan `json:"Plan"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out) == 0 || out[0].Plan == nil {
		return nil, fmt.Errorf("cannot read the plan %q: %v", labClip(string(raw), 200), err)
	}
	labFillTables(out[0].Plan, "")
	return out[0].Plan, nil
}

func labFillTables(p *labPlan, heap string) {
	p.table = p.Relation
	if p.NodeType == "Bitmap Heap Scan" {
		heap = p.Relation
	}
	if p.table == "" && p.Index != "" {
		p.table = heap
	}
	for _, c := range p.Plans {
		labFillTables(c, heap)
	}
}

// nodes is the plan and every node under it, depth first.
func (p *labPlan) nodes() []*labPlan {
	out := []*labPlan{p}
	for _, c := range p.Plans {
		out = append(out, c.nodes()...)
	}
	return out
}

// seqScans are the Seq Scan nodes on any of the tables.
func (p *labPlan) seqScans(tables ...string) []*labPlan {
	var out []*labPlan
	for _, n := range p.nodes() {
		if n.NodeType == "Seq Scan" {
			for _, t := range tables {
				if n.Relation == t {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// indexScans are the nodes that read the table through an index.
func (p *labPlan) indexScans(table string) []*labPlan {
	var out []*labPlan
	for _, n := range p.nodes() {
		if n.Index != "" && n.table == table {
			out = append(out, n)
		}
	}
	return out
}

// sorts are the Sort and Incremental Sort nodes.
func (p *labPlan) sorts() []*labPlan {
	var out []*labPlan
	for _, n := range p.nodes() {
		if strings.Contains(n.NodeType, "Sort") {
			out = append(out, n)
		}
	}
	return out
}

// String is the plan, compactly: one line per node, with the relation, the index and the
// conditions, indented like EXPLAIN's own output.
func (p *labPlan) String() string {
	var b strings.Builder
	var walk func(n *labPlan, depth int)
	walk = func(n *labPlan, depth int) {
		fmt.Fprintf(&b, "    %s%s", strings.Repeat("  ", depth), n.NodeType)
		if n.Direction == "Backward" {
			b.WriteString(" Backward")
		}
		if n.Index != "" {
			fmt.Fprintf(&b, " using %s", n.Index)
		}
		if n.Relation != "" {
			fmt.Fprintf(&b, " on %s", n.Relation)
		}
		if n.IndexCond != "" {
			fmt.Fprintf(&b, "  [Index Cond: %s]", labClip(n.IndexCond, 120))
		}
		if n.Filter != "" {
			fmt.Fprintf(&b, "  [Filter: %s]", labClip(n.Filter, 120))
		}
		if len(n.SortKey) > 0 {
			fmt.Fprintf(&b, "  [Sort Key: %s]", strings.Join(n.SortKey, ", "))
		}
		b.WriteString("\n")
		for _, c := range n.Plans {
			walk(c, depth+1)
		}
	}
	walk(p, 0)
	return b.String()
}

// The big schema: 1,000 customers, 5,000 products, 100,000 orders with two items each, seeded
// once per test binary through the learner's migrations, then only read (EXPLAIN and reads).
var labBig struct {
	once   sync.Once
	url    string
	schema string
	fail   string // why it could not be built; every test that needs it fails with this
}

// Values of the big data set the tests query.
const (
	labBigCustomers = 1000
	labBigProducts  = 5000
	labBigOrders    = 100000
)

// labBigSchema returns the name of the big schema, seeding it on first use.
func labBigSchema(t *testing.T) string {
	t.Helper()
	url := labURL(t)
	labBig.once.Do(func() {
		labBig.url = url
		labBig.schema = labRandomSchema("lab_big_")
		labBig.fail = labSeedBig(url, labBig.schema)
	})
	if labBig.fail != "" {
		t.Fatal(labBig.fail)
	}
	return labBig.schema
}

func labSeedBig(url, schema string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*labLimit)
	defer cancel()
	conn, err := labConnect(ctx, url, schema)
	if err != nil {
		return err.Error()
	}
	defer conn.Close(context.Background())
	if msg := labApplyMigrations(ctx, conn); msg != "" {
		return msg
	}
	if msg := labShopMissing(ctx, conn); msg != "" {
		return "this needs the schema from task schema first: " + msg + " (migrations/001_init.sql)"
	}

	// Bulk loading, the way pg_restore does it: checking a foreign key row by row costs more
	// than the inserts themselves, so drop the foreign keys of the big tables, load, and add
	// them back (which checks every row at once).
	rows, err := conn.Query(ctx, `
		SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
		FROM pg_constraint
		WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`)
	if err != nil {
		return "seeding: reading the foreign keys: " + err.Error()
	}
	type fk struct{ table, name, def string }
	var fks []fk
	var k fk
	if _, err := pgx.ForEachRow(rows, []any{&k.table, &k.name, &k.def}, func() error {
		fks = append(fks, k)
		return nil
	}); err != nil {
		return "seeding: reading the foreign keys: " + err.Error()
	}
	for _, k := range fks {
		if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", k.table, k.name)); err != nil {
			return "seeding: " + err.Error()
		}
	}

	steps := []string{
		fmt.Sprintf(`INSERT INTO customers (email, name)
			SELECT 'customer' || g || '@example.com', 'Customer ' || g FROM generate_series(1, %d) g`, labBigCustomers),
		fmt.Sprintf(`INSERT INTO products (sku, name, price_cents)
			SELECT 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, 100 + g %% 900 FROM generate_series(1, %d) g`, labBigProducts),
		// Orders five minutes apart from 2024-01-01 on, spread evenly over the customers.
		fmt.Sprintf(`INSERT INTO orders (customer_id, status, created_at)
			SELECT (SELECT min(id) FROM customers) + (g * 7919) %% %d, 'paid',
			       timestamptz '2024-01-01 00:00:00+00' + g * interval '5 minutes'
			FROM generate_series(1, %d) g`, labBigCustomers, labBigOrders),
		fmt.Sprintf(`INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents)
			SELECT o.id, (SELECT min(id) FROM products) + (o.id * 31 + k * 2503) %% %d, 1 + k, 500
			FROM orders o CROSS JOIN generate_series(0, 1) k`, labBigProducts),
	}
	for _, sql := range steps {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Sprintf("seeding 100,000 orders: %s: %v\nhint: the tests fill in the columns the lesson names; give any extra NOT NULL column a DEFAULT", labOneLine(sql), err)
		}
	}
	for _, k := range fks {
		if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", k.table, k.name, k.def)); err != nil {
			return "seeding: adding back a foreign key: " + err.Error()
		}
	}
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		return "seeding: ANALYZE: " + err.Error()
	}
	return ""
}

// labDropBig drops the big schema at the end of the test binary.
func labDropBig() {
	if labBig.schema == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	conn, err := pgx.Connect(ctx, labBig.url)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+labBig.schema+" CASCADE")
}

// labBigConn is a connection of the tests to the big schema, closed when the test ends.
func labBigConn(t *testing.T, schema string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(labURL(t))
	if err != nil {
		t.Fatalf("DATABASE_URL: %v", err)
	}
	cfg.RuntimeParams["search_path"] = schema
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("cannot reach PostgreSQL (DATABASE_URL): %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// labSQLState is the SQLSTATE of a PostgreSQL error, or "".
func labSQLState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// labStack is the stack of the goroutine that calls it, cut short.
func labStack() string {
	lines := strings.Split(string(debug.Stack()), "\n")
	if len(lines) > 24 {
		lines = append(lines[:24], "\t...")
	}
	return strings.Join(lines, "\n")
}
