//go:build labcheck

package main

import (
	"bytes"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// labStage is one FROM of the Dockerfile and the instructions that follow it.
type labStage struct {
	from  *parser.Node
	image string // the base image, global ARGs expanded, lower case
	name  string // the name after AS, lower case
	index int
	nodes []*parser.Node
}

type labDockerfile struct {
	src    []byte
	args   map[string]string // the ARGs before the first FROM, with their defaults
	global []*parser.Node
	stages []*labStage
}

var labInstructions = []string{"add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck",
	"label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir"}

// labReadDockerfile parses ./Dockerfile with BuildKit's own parser, the one `docker build` uses.
func labReadDockerfile(t *testing.T) *labDockerfile {
	t.Helper()
	src := labReadFile(t, "Dockerfile", "the Dockerfile goes at the root of the lab folder, next to go.mod")
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("Dockerfile: BuildKit's parser rejects it: %v", err)
	}
	df := &labDockerfile{src: src, args: map[string]string{}}
	for _, n := range res.AST.Children {
		cmd := strings.ToLower(n.Value)
		if !slices.Contains(labInstructions, cmd) {
			t.Fatalf("%s: unknown instruction %s: docker build would stop here", df.at(n), strings.ToUpper(n.Value))
		}
		switch {
		case cmd == "from":
			st := &labStage{from: n, index: len(df.stages)}
			if n.Next != nil {
				st.image = strings.ToLower(df.expand(n.Next.Value))
				if as := n.Next.Next; as != nil && strings.EqualFold(as.Value, "as") && as.Next != nil {
					st.name = strings.ToLower(as.Next.Value)
				}
			}
			df.stages = append(df.stages, st)
		case len(df.stages) == 0:
			df.global = append(df.global, n)
			if cmd == "arg" {
				for a := n.Next; a != nil; a = a.Next {
					k, v, _ := strings.Cut(a.Value, "=")
					df.args[k] = strings.Trim(v, `"'`)
				}
			}
		default:
			st := df.stages[len(df.stages)-1]
			st.nodes = append(st.nodes, n)
		}
	}
	if len(df.stages) == 0 {
		t.Fatalf("Dockerfile: no FROM instruction: every stage starts with one")
	}
	return df
}

// expand replaces ${NAME} and $NAME by the default of a global ARG.
func (df *labDockerfile) expand(s string) string {
	return os.Expand(s, func(k string) string {
		k, _, _ = strings.Cut(k, ":") // ${NAME:-default} is rare in FROM: keep it simple
		return df.args[k]
	})
}

// at is "Dockerfile:12: `RUN go build .`", the place to fix.
func (df *labDockerfile) at(n *parser.Node) string {
	return labWhere("Dockerfile", df.src, n.StartLine)
}

func (df *labDockerfile) final() *labStage { return df.stages[len(df.stages)-1] }

// stage finds a stage by name or index, as in COPY --from=build or FROM build.
func (df *labDockerfile) stage(ref string, before int) *labStage {
	ref = strings.ToLower(ref)
	for _, st := range df.stages[:before] {
		if st.name == ref || strconv.Itoa(st.index) == ref {
			return st
		}
	}
	return nil
}

// base follows FROM <earlier stage> back to an image.
func (df *labDockerfile) base(st *labStage) string {
	for i := 0; i < len(df.stages); i++ {
		prev := df.stage(st.image, st.index)
		if prev == nil {
			return st.image
		}
		st = prev
	}
	return st.image
}

func labFlag(n *parser.Node, name string) (string, bool) {
	for _, f := range n.Flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// labArgs are the arguments of an instruction (for RUN in shell form, one string).
func labArgs(n *parser.Node) []string {
	var out []string
	for a := n.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
	}
	return out
}

// labWords splits a shell command into words, well enough to find `go build` in it.
func labWords(cmd string) []string {
	r := strings.NewReplacer("\\\n", " ", "&&", " ; ", "||", " ; ", ";", " ; ", "\n", " ; ", "(", " ", ")", " ")
	var out []string
	for _, w := range strings.Fields(r.Replace(cmd)) {
		out = append(out, strings.Trim(w, `"'`))
	}
	return out
}

// labHasSeq says whether words holds seq in a row, and where.
func labHasSeq(words []string, seq ...string) int {
	for i := 0; i+len(seq) <= len(words); i++ {
		if slices.Equal(words[i:i+len(seq)], seq) {
			return i
		}
	}
	return -1
}

func labRunWords(n *parser.Node) []string {
	if n.Attributes["json"] {
		return labArgs(n)
	}
	return labWords(strings.Join(labArgs(n), " "))
}

// labImageName is the repository of an image reference, without registry defaults, tag or digest.
func labImageName(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	ref = strings.TrimPrefix(ref, "docker.io/")
	return strings.TrimPrefix(ref, "library/")
}

func labIsMinimal(image string) bool {
	name := labImageName(image)
	return name == "scratch" || name == "alpine" ||
		strings.HasPrefix(name, "gcr.io/distroless/") || strings.HasPrefix(name, "cgr.dev/chainguard/")
}

// buildStage is the stage the final stage copies a binary from: the one that runs go build.
func (df *labDockerfile) buildStage(t *testing.T) (*labStage, *parser.Node) {
	t.Helper()
	final := df.final()
	if len(df.stages) < 2 {
		t.Fatalf("%s: the Dockerfile has one stage, want two: a build stage FROM golang that compiles the binary, and a final stage FROM a minimal image (distroless or scratch) that only gets the binary, with COPY --from=build\nhint: the Go toolchain is ~800 MB the service never uses at run time, and every tool in the image is one more for an attacker", df.at(final.from))
	}
	for _, n := range final.nodes {
		if !strings.EqualFold(n.Value, "copy") {
			continue
		}
		from, ok := labFlag(n, "from")
		if !ok {
			continue
		}
		if st := df.stage(from, final.index); st != nil && df.runsGoBuild(st) != nil {
			return st, n
		}
	}
	t.Fatalf("%s: the final stage never copies the binary from the build stage, want COPY --from=<build stage> /path/to/binary /bookshelf in it (after its FROM)\nhint: name the build stage (FROM golang:1.26 AS build) and copy what its go build -o wrote", df.at(final.from))
	return nil, nil
}

// runsGoBuild returns the RUN of st that runs go build.
func (df *labDockerfile) runsGoBuild(st *labStage) *parser.Node {
	for _, n := range st.nodes {
		if strings.EqualFold(n.Value, "run") && labHasSeq(labRunWords(n), "go", "build") >= 0 {
			return n
		}
	}
	return nil
}

func TestDockerfileHasABuildStageAndAMinimalFinalStage(t *testing.T) {
	df := labReadDockerfile(t)
	build, copyNode := df.buildStage(t)
	if name := labImageName(df.base(build)); name != "golang" {
		t.Fatalf("%s: the build stage starts FROM %s, want the official Go image (golang:1.26)", df.at(build.from), build.image)
	}
	final := df.final()
	if img := df.base(final); !labIsMinimal(img) {
		t.Fatalf("%s: the final stage starts FROM %s, want a minimal image: gcr.io/distroless/static-debian12 (or scratch, cgr.dev/chainguard/static, alpine)\nhint: a static Go binary needs no shell, no package manager, no libc: the smaller the final image, the less there is to patch and to exploit", df.at(final.from), img)
	}
	if df.runsGoBuild(final) != nil {
		t.Fatalf("%s: the final stage runs go build, want it only in the build stage", df.at(df.runsGoBuild(final)))
	}
	var start *parser.Node
	for _, n := range final.nodes {
		if cmd := strings.ToLower(n.Value); cmd == "entrypoint" || cmd == "cmd" {
			start = n
		}
	}
	if start == nil {
		t.Fatalf("%s: the final stage has no ENTRYPOINT, want ENTRYPOINT [\"/bookshelf\"] (the path %s copies to)", df.at(final.from), df.at(copyNode))
	}
	if !start.Attributes["json"] {
		t.Fatalf("%s: shell form, want the exec form: %s [\"/bookshelf\"]\nhint: in shell form the process is /bin/sh -c \"...\": the shell is PID 1 and does not pass SIGTERM on, so the service never shuts down gracefully and gets SIGKILLed after the grace period (and distroless has no /bin/sh at all)", df.at(start), strings.ToUpper(start.Value))
	}
}

func TestDockerfileBuildsAStaticBinaryWithCachedModules(t *testing.T) {
	df := labReadDockerfile(t)
	build, _ := df.buildStage(t)
	run := df.runsGoBuild(build)

	cgoOff := false
	for _, n := range build.nodes {
		if n == run {
			break
		}
		if cmd := strings.ToLower(n.Value); cmd == "env" || cmd == "arg" {
			args := labArgs(n)
			if cmd == "env" {
				for i := 0; i+1 < len(args); i += 3 {
					if args[i] == "CGO_ENABLED" && strings.Trim(args[i+1], `"'`) == "0" {
						cgoOff = true
					}
				}
			} else if slices.Contains(args, "CGO_ENABLED=0") {
				cgoOff = true
			}
		}
	}
	words := labRunWords(run)
	if i := slices.Index(words, "CGO_ENABLED=0"); i >= 0 && i < labHasSeq(words, "go", "build") {
		cgoOff = true
	}
	if !cgoOff {
		t.Fatalf("%s: go build runs with cgo as the image sets it (on, in golang images), want CGO_ENABLED=0: RUN CGO_ENABLED=0 go build ... (or ENV CGO_ENABLED=0 before it)\nhint: with cgo on, net and os/user link against the build image's glibc, and the binary fails to start in distroless/static or scratch (\"no such file or directory\" for a file that is there)", df.at(run))
	}

	// Layer caching: go.mod and go.sum, then go mod download, then the rest of the source.
	var copyAll, copyMod, download *parser.Node
	for _, n := range build.nodes {
		cmd := strings.ToLower(n.Value)
		switch {
		case cmd == "copy" || cmd == "add":
			if _, ok := labFlag(n, "from"); ok {
				continue
			}
			args := labArgs(n)
			if len(args) < 2 {
				continue
			}
			srcs := args[:len(args)-1]
			// Sources are patterns: COPY go.* ./ copies go.mod and go.sum alone, while
			// COPY *.go go.mod ./ or COPY * ./ already copies the source.
			if copyAll == nil && slices.ContainsFunc(srcs, labCopiesSource) {
				copyAll = n
			}
			if copyMod == nil && copyAll == nil && slices.ContainsFunc(srcs, func(s string) bool { return labGlobMatches(s, "go.mod") }) {
				copyMod = n
			}
		case cmd == "run" && download == nil && copyAll == nil:
			if labHasSeq(labRunWords(n), "go", "mod", "download") >= 0 {
				download = n
				for _, f := range n.Flags { // RUN --mount=type=bind,source=go.mod,... go mod download
					if strings.HasPrefix(f, "--mount=") && strings.Contains(f, "go.mod") {
						copyMod = n
					}
				}
			}
		}
	}
	hint := "\nhint: Docker reuses a layer until something it depends on changes. COPY go.mod go.sum ./ then RUN go mod download, and only then COPY . .: editing a .go file no longer downloads every module again"
	switch {
	case copyAll == nil:
		t.Fatalf("%s: the build stage never copies the source (COPY . .)", df.at(build.from))
	case copyMod == nil:
		t.Fatalf("%s: the whole source is copied before go.mod alone, so any change of any file downloads every module again%s", df.at(copyAll), hint)
	case download == nil:
		t.Fatalf("%s: go.mod is copied first, but no RUN go mod download follows it before %s%s", df.at(copyMod), df.at(copyAll), hint)
	}
}

func TestDockerfileRunsAsANonRootUser(t *testing.T) {
	df := labReadDockerfile(t)
	final := df.final()
	var user *parser.Node
	for _, n := range final.nodes {
		if strings.EqualFold(n.Value, "user") {
			user = n
		}
	}
	if user == nil {
		t.Fatalf("%s: the final stage has no USER, so the service runs as root (UID 0), want USER 65532:65532\nhint: if someone breaks into the process, root in the container is one kernel bug away from root on the node", df.at(final.from))
	}
	args := labArgs(user)
	if len(args) == 0 {
		t.Fatalf("%s: USER without a user", df.at(user))
	}
	uid, _, _ := strings.Cut(args[0], ":")
	n, err := strconv.Atoi(uid)
	switch {
	case err != nil:
		t.Fatalf("%s: the user %q is a name, want a numeric UID like 65532:65532\nhint: Kubernetes' runAsNonRoot can only verify a numeric user: with a name, the pod fails with \"image has non-numeric user, cannot verify user is non-root\" (distroless' nonroot user is 65532)", df.at(user), uid)
	case n == 0:
		t.Fatalf("%s: UID 0 is root, want a non-root UID like 65532", df.at(user))
	}
}

// labSecretWords mark the name of a variable that holds a secret.
var labSecretWords = []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL", "ACCESS_KEY"}

func TestDockerfileBakesInNoSecrets(t *testing.T) {
	df := labReadDockerfile(t)
	nodes := append([]*parser.Node{}, df.global...)
	for _, st := range df.stages {
		nodes = append(nodes, st.nodes...)
	}
	hint := "hint: every ENV and ARG is stored in the image (docker history, docker inspect) for anyone who can pull it. Configuration comes from the environment at run time (compose environment:, a Kubernetes Secret); a secret the build needs goes through RUN --mount=type=secret"
	for _, n := range nodes {
		cmd := strings.ToLower(n.Value)
		var pairs [][2]string
		switch cmd {
		case "env":
			args := labArgs(n)
			for i := 0; i+1 < len(args); i += 3 {
				pairs = append(pairs, [2]string{args[i], args[i+1]})
			}
		case "arg":
			for _, a := range labArgs(n) {
				k, v, _ := strings.Cut(a, "=")
				pairs = append(pairs, [2]string{k, v})
			}
		case "copy", "add":
			args := labArgs(n)
			for _, src := range args[:max(len(args)-1, 0)] {
				if src == ".env" || strings.HasPrefix(src, ".env.") || strings.HasSuffix(src, ".pem") || strings.HasSuffix(src, ".key") {
					t.Fatalf("%s: copies %s into the image, want secrets kept out of it\n%s", df.at(n), src, hint)
				}
			}
		}
		for _, p := range pairs {
			key, val := strings.ToUpper(p[0]), strings.Trim(p[1], `"'`)
			secretName := key == "DATABASE_URL" || key == "REDIS_URL"
			for _, w := range labSecretWords {
				secretName = secretName || strings.Contains(key, w)
			}
			if secretName {
				t.Fatalf("%s: %s %s puts a secret (or a URL with one) into the image\n%s", df.at(n), strings.ToUpper(cmd), p[0], hint)
			}
			if u, err := url.Parse(val); err == nil && u.User != nil {
				if _, ok := u.User.Password(); ok {
					t.Fatalf("%s: the value of %s holds a password\n%s", df.at(n), p[0], hint)
				}
			}
		}
	}
}

func TestDockerignoreKeepsGitAndSecretsOut(t *testing.T) {
	src := labReadFile(t, ".dockerignore", "it lists what docker build must not send to the builder (the build context), one pattern a line")
	patterns, err := ignorefile.ReadAll(bytes.NewReader(src))
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	excluded := func(p string) bool {
		ok, err := pm.MatchesOrParentMatches(p)
		return err == nil && ok
	}
	for _, p := range []struct{ path, why string }{
		{".git/config", "the repository's whole history (and any secret ever committed) would be sent to the builder, and COPY . . would put it in the image"},
		{".env", "it holds local secrets: COPY . . would put them in the image"},
	} {
		if !excluded(p.path) {
			t.Fatalf(".dockerignore (patterns: %q) does not exclude %s: %s\nhint: one pattern a line, like %s", patterns, p.path, p.why, strings.Split(p.path, "/")[0])
		}
	}
	for _, p := range []string{"go.mod", "go.sum", "main.go", "config.go"} {
		if !excluded(p) {
			continue
		}
		line := 0
		for i, l := range strings.Split(string(src), "\n") {
			l = strings.TrimSpace(l)
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			if one, err := patternmatcher.New([]string{l}); err == nil {
				if ok, _ := one.MatchesOrParentMatches(p); ok {
					line = i + 1
				}
			}
		}
		t.Fatalf("%s: excludes %s, which the build needs: go build would fail in the image\nhint: exclude what the build does not need; if you start from *, add exceptions like !*.go", labWhere(".dockerignore", src, line), p)
	}
}

// labGlobMatches reports whether the COPY source pattern src (Go's filepath.Match syntax,
// which is what BuildKit uses) names the file name at the root of the context.
func labGlobMatches(src, name string) bool {
	src = strings.TrimPrefix(src, "./")
	ok, err := path.Match(src, name)
	return err == nil && ok
}

// labCopiesSource reports whether a COPY source brings in the Go source: the whole context,
// or a pattern that matches a .go file.
func labCopiesSource(src string) bool {
	switch strings.TrimSuffix(strings.TrimPrefix(src, "./"), "/") {
	case ".", "", "*":
		return true
	}
	return labGlobMatches(src, "main.go") || labGlobMatches(src, "config.go")
}
