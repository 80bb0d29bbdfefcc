// Package classroom grades a whole class: many learners' workspaces, split into shards that
// separate machines (a CI matrix, a Kubernetes indexed Job) run independently.
package classroom

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is "i/n": this runner takes shard i (1-based) of n.
type Shard struct{ I, N int }

// ParseShard reads "2/8". The empty string means the whole class (1/1).
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{1, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("--shard %q: want i/n with 1 ≤ i ≤ n, like 2/8", s)
	}
	return Shard{i, n}, nil
}

// Has reports whether a submission belongs to this shard. The split hashes the submission's
// name, so it is a partition (every name in exactly one shard) that does not depend on the
// order of the list, on which machine runs it, or on the other submissions: adding a learner
// never moves the others.
func (s Shard) Has(name string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32()%uint32(s.N))+1 == s.I
}
