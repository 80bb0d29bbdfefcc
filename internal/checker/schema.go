package checker

// Mutant schemata: one package holding the reference and every mutant, so that the learner's
// tests are compiled and linked once per check instead of once per mutant.
//
// For each top-level function a mutant changes, the reference's function is renamed in place
// (every line keeps its number) and a dispatcher with the original name and signature is
// appended to its file:
//
//	func Price(p0 Order) (Quote, error) {
//		switch lab_sel { case 3: return lab_m3(p0) }
//		return lab_ref(p0)
//	}
//
// Each mutant's version of the function goes, renamed, into a generated file of its own with the
// imports it uses and a //line directive, so a panic in it still points at the reference file's
// name and the mutant's own line. A package-level var a mutant changes becomes
// lab_pick(lab_sel == 3, lab_m3, <reference value>). The selector is read once, while the
// package initializes, from $LAB_MUTANT: an opaque token per run (the reference, the control
// and each mutant have their own; the reference and the control both select the reference), and
// the variable is unset at once. Every generated name and token is derived like the seals (a
// machine key, or fresh per check): a learner test cannot name the selector or the variants,
// and a run cannot tell from the names it sees whether it runs the reference.
//
// What a schema cannot express — a changed constant or type, an added declaration, a changed
// signature — is reported per mutant (skipped); such a mutant is compiled on its own, as before.

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// schemaEnv carries the run's token to the test binary.
const schemaEnv = "LAB_MUTANT"

// Variants that are not mutants, for schema.tokens.
const (
	variantReference = "\x00reference"
	variantControl   = "\x00control"
)

// schema is the reference and the mutants as one package.
type schema struct {
	// files are the package's non-test files that differ from the reference, by file name in the
	// learner's folder: rewritten reference files and the generated ones.
	files map[string][]byte
	// tokens: variant (variantReference, variantControl or a mutant id) -> $LAB_MUTANT value.
	tokens map[string]string
	// skipped: mutant id -> why it is not in the schema (it is compiled on its own).
	skipped map[string]string
}

// schemaDecl is one top-level declaration of a file, keyed so a mutant's can be matched to the
// reference's.
type schemaDecl struct {
	key  string // "func Price", "func (*Service).Checkout", "init#0", "var skuEscaper", "const X", "type T"
	fn   *ast.FuncDecl
	spec *ast.ValueSpec // var only
	text string         // source, without the doc comment
}

type schemaFile struct {
	name  string
	src   []byte
	fset  *token.FileSet
	f     *ast.File
	decls map[string]*schemaDecl
	order []string
}

func parseSchemaFile(name string, src []byte) (*schemaFile, error) {
	sf := &schemaFile{name: name, src: src, fset: token.NewFileSet(), decls: map[string]*schemaDecl{}}
	f, err := parser.ParseFile(sf.fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	sf.f = f
	add := func(d *schemaDecl, from, to token.Pos) {
		d.text = string(src[sf.off(from):sf.off(to)])
		if _, dup := sf.decls[d.key]; dup {
			d.key += "#dup"
		}
		sf.decls[d.key] = d
		sf.order = append(sf.order, d.key)
	}
	inits := 0
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			key := "func " + d.Name.Name
			if d.Recv != nil && len(d.Recv.List) == 1 {
				key = "func (" + recvBase(d.Recv.List[0].Type) + ")." + d.Name.Name
			} else if d.Name.Name == "init" {
				key = "init#" + strconv.Itoa(inits)
				inits++
			}
			add(&schemaDecl{key: key, fn: d}, d.Pos(), d.End())
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					var names []string
					for _, n := range s.Names {
						names = append(names, n.Name)
					}
					sd := &schemaDecl{key: d.Tok.String() + " " + strings.Join(names, ",")}
					if d.Tok == token.VAR {
						sd.spec = s
					}
					add(sd, s.Pos(), s.End())
				case *ast.TypeSpec:
					add(&schemaDecl{key: "type " + s.Name.Name}, s.Pos(), s.End())
				}
			}
		}
	}
	return sf, nil
}

func (sf *schemaFile) off(p token.Pos) int { return sf.fset.Position(p).Offset }

func (sf *schemaFile) text(n ast.Node) string {
	if n == nil || n.Pos() == token.NoPos {
		return ""
	}
	return string(sf.src[sf.off(n.Pos()):sf.off(n.End())])
}

// recvBase names a receiver's type without pointer or type parameters: *Set[T] -> Set.
func recvBase(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return "?"
		}
	}
}

// funcChange is one mutant's version of a function the reference has.
type funcChange struct {
	k    int // the mutant's selector value
	name string
	m    *schemaFile
	d    *schemaDecl
}

// varChange is one mutant's value for a package-level var.
type varChange struct {
	k     int
	names []string // generated var names, one per value
	m     *schemaFile
	d     *schemaDecl
}

// schemaNamer gives the generated identifiers and tokens: lab_<hex>, derived from the check's
// sealer so they are unpredictable to a learner and, with a keyed sealer, the same on every
// check (the build cache stays warm).
type schemaNamer struct{ numbers sealer }

func (n schemaNamer) name(what string) string {
	a, b := n.numbers("schema:" + what)
	return fmt.Sprintf("lab_%x%x", a, b&0xffff)
}

func (n schemaNamer) token(variant string) string {
	a, b := n.numbers("token:" + variant)
	return fmt.Sprintf("%016x%016x", a, b)
}

// lineAt says what the //line directive before a mutant's code names: for a learner, the
// reference file in the learner's folder (as the compiler names it) at the reference's
// numbering; for a lab author, the mutant's own file and lines (own), so a compile error in
// schema form points at the mutant.
type lineAt func(mutantID, file string) (name string, own bool)

// learnerLines names the reference files in dir.
func learnerLines(dir string) lineAt {
	return func(_, file string) (string, bool) { return filepath.Join(dir, file), false }
}

// buildSchema makes the schema of ref (file name -> source) and mutants.
func buildSchema(at lineAt, ref map[string][]byte, mutants []*mutant, numbers sealer) (*schema, error) {
	nm := schemaNamer{numbers}
	s := &schema{files: map[string][]byte{}, tokens: map[string]string{}, skipped: map[string]string{}}
	s.tokens[variantReference] = nm.token(variantReference)
	s.tokens[variantControl] = nm.token(variantControl)

	refs := map[string]*schemaFile{}
	pkg := ""
	for name, src := range ref {
		sf, err := parseSchemaFile(name, src)
		if err != nil {
			return nil, fmt.Errorf("starter/%s: %v", name, err)
		}
		refs[name] = sf
		pkg = sf.f.Name.Name
	}
	if pkg == "" {
		return nil, errNoReference
	}

	funcs := map[string]map[string][]*funcChange{} // file -> decl key -> changes
	vars := map[string]map[string][]*varChange{}
	sel := nm.name("selector")
	pick := nm.name("pick")
	k := 0
	for _, m := range mutants {
		k++
		var (
			mf  []*funcChange
			mv  []*varChange
			why string
		)
		parsedMutant := map[string]*schemaFile{}
		names := sortedKeys(m.files)
		for _, name := range names {
			r := refs[name]
			if r == nil {
				why = fmt.Sprintf("it replaces %s, which the starter does not have", name)
				break
			}
			ms, err := parseSchemaFile(name, m.files[name])
			if err != nil {
				why = fmt.Sprintf("%s does not parse: %v", name, err)
				break
			}
			parsedMutant[name] = ms
			fc, vc, w := diffSchemaFile(r, ms, k, nm, m.id)
			if w != "" {
				why = name + ": " + w
				break
			}
			mf, mv = append(mf, fc...), append(mv, vc...)
		}
		if why == "" && len(mf)+len(mv) == 0 {
			why = "it changes nothing a schema can switch (only comments or formatting?)"
		}
		if why != "" {
			s.skipped[m.id] = why
			continue
		}
		// The mutant's functions and values, one generated file per mutant file.
		byFile := map[string]*bytes.Buffer{}
		bodyFor := func(name string) *bytes.Buffer {
			if byFile[name] == nil {
				byFile[name] = &bytes.Buffer{}
			}
			return byFile[name]
		}
		used := map[string]map[string]bool{} // file -> idents used as X in X.Sel
		for _, c := range mf {
			b := bodyFor(c.m.name)
			fmt.Fprintf(b, "\n//line %s\n", lineDirective(at, m.id, refs[c.m.name], c.m, c.d.fn.Pos()))
			nameOff := c.m.off(c.d.fn.Name.Pos()) - c.m.off(c.d.fn.Pos())
			b.WriteString(c.d.text[:nameOff] + c.name + c.d.text[nameOff+len(c.d.fn.Name.Name):])
			b.WriteString("\n")
			collectSelectors(c.d.fn, used, c.m.name)
		}
		for _, c := range mv {
			b := bodyFor(c.m.name)
			for i, v := range c.d.spec.Values {
				fmt.Fprintf(b, "\n//line %s\n", lineDirective(at, m.id, refs[c.m.name], c.m, v.Pos()))
				typ := ""
				if c.d.spec.Type != nil {
					typ = " " + c.m.text(c.d.spec.Type)
					collectSelectors(c.d.spec.Type, used, c.m.name)
				}
				fmt.Fprintf(b, "var %s%s = %s\n", c.names[i], typ, c.m.text(v))
				collectSelectors(v, used, c.m.name)
			}
		}
		files := map[string][]byte{}
		for _, name := range sortedKeys(byFile) {
			imports, err := usedImports(parsedMutant[name], used[name])
			if err != "" {
				why = name + ": " + err
				break
			}
			files[fmt.Sprintf("zz_lab_%s.go", nm.name("file:"+m.id+"/"+name))] = fmt.Appendf(nil, "package %s\n\n%s%s", pkg, imports, byFile[name].Bytes())
		}
		if why != "" {
			s.skipped[m.id] = why
			continue
		}
		s.tokens[m.id] = nm.token(m.id)
		for name, data := range files {
			s.files[name] = data
		}
		for _, c := range mf {
			add(funcs, c.m.name, c.d.key, c)
		}
		for _, c := range mv {
			add(vars, c.m.name, c.d.key, c)
		}
	}

	// The reference files: variants renamed in place, dispatchers appended.
	for _, name := range sortedKeys(refs) {
		r := refs[name]
		if len(funcs[name]) == 0 && len(vars[name]) == 0 {
			continue
		}
		type edit struct {
			off, end int
			text     string
		}
		var edits []edit
		var tail bytes.Buffer
		for _, key := range sortedKeys(funcs[name]) {
			d := r.decls[key]
			refName := nm.name("ref:" + name + "/" + key)
			off := r.off(d.fn.Name.Pos())
			edits = append(edits, edit{off, off + len(d.fn.Name.Name), refName})
			tail.WriteString(dispatcher(r, d.fn, refName, funcs[name][key], sel))
		}
		for _, key := range sortedKeys(vars[name]) {
			d := r.decls[key]
			for i, v := range d.spec.Values {
				var pre, post strings.Builder
				for _, c := range vars[name][key] {
					fmt.Fprintf(&pre, "%s(%s == %d, %s, ", pick, sel, c.k, c.names[i])
					post.WriteString(")")
				}
				edits = append(edits, edit{r.off(v.Pos()), r.off(v.Pos()), pre.String()}, edit{r.off(v.End()), r.off(v.End()), post.String()})
			}
		}
		sort.SliceStable(edits, func(i, j int) bool { return edits[i].off > edits[j].off })
		out := append([]byte(nil), r.src...)
		for _, e := range edits {
			out = append(out[:e.off], append([]byte(e.text), out[e.end:]...)...)
		}
		out = append(out, tail.Bytes()...)
		s.files[name] = out
	}

	// The selector: read once, before any package-level var that uses it (Go orders package
	// initialization by dependency), and unset so a test does not find it in its environment.
	var sw bytes.Buffer
	for _, id := range sortedKeys(s.tokens) {
		fmt.Fprintf(&sw, "\tcase %q:\n\t\treturn %d\n", s.tokens[id], mutantIndex(mutants, id))
	}
	s.files["zz_lab_"+nm.name("selector-file")+".go"] = fmt.Appendf(nil, `package %[1]s

import labos "os"

var %[2]s = %[3]s()

func %[3]s() int {
	v := labos.Getenv(%[4]q)
	labos.Unsetenv(%[4]q)
	switch v {
%[5]s	}
	return 0
}

func %[6]s[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}
`, pkg, sel, nm.name("selector-func"), schemaEnv, sw.String(), pick)
	return s, nil
}

// mutantIndex is a variant's selector value: 0 for the reference and the control, 1.. for the
// mutants in the order buildSchema numbered them.
func mutantIndex(mutants []*mutant, id string) int {
	for i, m := range mutants {
		if m.id == id {
			return i + 1
		}
	}
	return 0
}

func add[C any](m map[string]map[string][]C, file, key string, c C) {
	if m[file] == nil {
		m[file] = map[string][]C{}
	}
	m[file][key] = append(m[file][key], c)
}

// diffSchemaFile compares a mutant's file with the reference's: the functions and vars it
// changes, or why the schema cannot hold it.
func diffSchemaFile(r, m *schemaFile, k int, nm schemaNamer, id string) ([]*funcChange, []*varChange, string) {
	var fcs []*funcChange
	var vcs []*varChange
	if m.f.Name.Name != r.f.Name.Name {
		return nil, nil, fmt.Sprintf("package %s, the reference's is %s", m.f.Name.Name, r.f.Name.Name)
	}
	for _, key := range m.order {
		md, rd := m.decls[key], r.decls[key]
		if rd == nil {
			return nil, nil, fmt.Sprintf("adds %s, which the reference does not have (a schema switches between versions of the same declarations; inline the helper)", key)
		}
		if md.text == rd.text {
			continue
		}
		switch {
		case md.fn != nil:
			if md.fn.Body == nil || rd.fn.Body == nil {
				return nil, nil, fmt.Sprintf("%s has no body", key)
			}
			if m.text(md.fn.Type) != r.text(rd.fn.Type) || recvText(m, md.fn) != recvText(r, rd.fn) {
				return nil, nil, fmt.Sprintf("changes the signature of %s (a schema keeps signatures)", key)
			}
			fcs = append(fcs, &funcChange{k: k, name: nm.name("mutant:" + id + "/" + m.name + "/" + key), m: m, d: md})
		case md.spec != nil && rd.spec != nil:
			if len(md.spec.Values) == 0 || len(md.spec.Values) != len(md.spec.Names) || len(rd.spec.Values) != len(md.spec.Values) ||
				m.text(md.spec.Type) != r.text(rd.spec.Type) {
				return nil, nil, fmt.Sprintf("changes %s in a way a schema cannot switch (change its value only, one value per name)", key)
			}
			vc := &varChange{k: k, m: m, d: md}
			for i := range md.spec.Values {
				vc.names = append(vc.names, nm.name(fmt.Sprintf("value:%s/%s/%s/%d", id, m.name, key, i)))
			}
			vcs = append(vcs, vc)
		default:
			return nil, nil, fmt.Sprintf("changes %s: a schema switches functions and var values at run time, not constants or types; change the code that uses it instead", key)
		}
	}
	return fcs, vcs, ""
}

func recvText(sf *schemaFile, fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return ""
	}
	return sf.text(fn.Recv.List[0].Type)
}

func lineDirective(at lineAt, id string, r, m *schemaFile, p token.Pos) string {
	name, own := at(id, m.name)
	if own {
		return fmt.Sprintf("%s:%d", name, m.fset.Position(p).Line)
	}
	return fmt.Sprintf("%s:%d", name, lineIn(r, m, p))
}

// lineIn is p's line in the reference's numbering: a mutant file starts with a
// `//go:build labcheck` line and a blank one that the reference does not have.
func lineIn(r, m *schemaFile, p token.Pos) int {
	shift := m.fset.Position(m.f.Package).Line - r.fset.Position(r.f.Package).Line
	return max(m.fset.Position(p).Line-shift, 1)
}

// dispatcher is the function that keeps fn's name and signature and calls the variant lab_sel
// selects.
func dispatcher(r *schemaFile, fn *ast.FuncDecl, refName string, changes []*funcChange, sel string) string {
	var sig, args strings.Builder
	recv, call := "", ""
	if fn.Recv != nil && len(fn.Recv.List) == 1 {
		recv = "(labRecv " + r.text(fn.Recv.List[0].Type) + ") "
		call = "labRecv."
	}
	typeArgs := ""
	if tp := fn.Type.TypeParams; tp != nil {
		var names []string
		for _, f := range tp.List {
			for _, n := range f.Names {
				names = append(names, n.Name)
			}
		}
		typeArgs = "[" + strings.Join(names, ", ") + "]"
		sig.WriteString(r.text(tp)) // with its brackets
	}
	sig.WriteString("(")
	i := 0
	for _, f := range fn.Type.Params.List {
		n := max(len(f.Names), 1)
		for range n {
			if i > 0 {
				sig.WriteString(", ")
				args.WriteString(", ")
			}
			fmt.Fprintf(&sig, "labP%d %s", i, r.text(f.Type))
			fmt.Fprintf(&args, "labP%d", i)
			if _, ok := f.Type.(*ast.Ellipsis); ok {
				args.WriteString("...")
			}
			i++
		}
	}
	sig.WriteString(")")
	if res := fn.Type.Results; res != nil {
		var rs []string
		for _, f := range res.List {
			for range max(len(f.Names), 1) {
				rs = append(rs, r.text(f.Type))
			}
		}
		sig.WriteString(" (" + strings.Join(rs, ", ") + ")")
	}
	ret := "return "
	end := ""
	if fn.Type.Results == nil {
		ret, end = "", "\n\t\treturn"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nfunc %s%s%s {\n\tswitch %s {\n", recv, fn.Name.Name, sig.String(), sel)
	sort.Slice(changes, func(i, j int) bool { return changes[i].k < changes[j].k })
	for _, c := range changes {
		fmt.Fprintf(&b, "\tcase %d:\n\t\t%s%s%s%s(%s)%s\n", c.k, ret, call, c.name, typeArgs, args.String(), end)
	}
	fmt.Fprintf(&b, "\t}\n\t%s%s%s%s(%s)\n}\n", ret, call, refName, typeArgs, args.String())
	return b.String()
}

// collectSelectors records the X of every X.Sel in n: the package names it may use.
func collectSelectors(n ast.Node, used map[string]map[string]bool, file string) {
	if used[file] == nil {
		used[file] = map[string]bool{}
	}
	ast.Inspect(n, func(n ast.Node) bool {
		if se, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := se.X.(*ast.Ident); ok {
				used[file][id.Name] = true
			}
		}
		return true
	})
}

// usedImports is the import block of a generated file: the mutant file's imports that the
// copied declarations use. A package's name is guessed from its path (the last element
// without a /vN suffix) and confirmed against the whole mutant file; the schema cannot hold a
// mutant whose imports cannot be matched that way (give the import an explicit name).
func usedImports(m *schemaFile, used map[string]bool) (string, string) {
	all := map[string]bool{}
	collectSelectors(m.f, map[string]map[string]bool{"": all}, "")
	var lines []string
	for _, im := range m.f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := ""
		switch {
		case im.Name != nil && (im.Name.Name == "_"):
			lines = append(lines, "\t_ "+im.Path.Value)
			continue
		case im.Name != nil && im.Name.Name == ".":
			return "", fmt.Sprintf("dot-import of %s: give it a name", p)
		case im.Name != nil:
			name = im.Name.Name
		default:
			name = guessPackageName(p)
			if p == "C" {
				return "", "cgo is not supported"
			}
			if !all[name] {
				return "", fmt.Sprintf("cannot tell the package name of import %q: import it with an explicit name", p)
			}
		}
		if used[name] {
			lines = append(lines, "\t"+name+" "+im.Path.Value)
		}
	}
	if len(lines) == 0 {
		return "", ""
	}
	return "import (\n" + strings.Join(lines, "\n") + "\n)\n", ""
}

func guessPackageName(p string) string {
	elems := strings.Split(p, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && len(last) > 1 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
		last = elems[len(elems)-2]
	}
	if i := strings.Index(last, ".v"); i > 0 { // gopkg.in/yaml.v3
		last = last[:i]
	}
	last = strings.TrimPrefix(strings.TrimSuffix(last, "-go"), "go-")
	return strings.ReplaceAll(last, "-", "")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
