package course

import (
	"io/fs"

	"github.com/BurntSushi/toml"
	"golang.org/x/mod/semver"
)

// MetaFile is the optional file at a course's root that says where the course is published
// and which lab release grades it.
const MetaFile = "course.toml"

// Meta is course.toml. Every field is optional.
type Meta struct {
	Name string `toml:"name"`
	// Source is where learners and CI fetch the course: a git URL ("https://github.com/me/course").
	Source string `toml:"source"`
	// LabVersion is the lab release the course is graded with ("v0.4.0"): `lab ci init` installs
	// exactly it, and an older lab refuses the course instead of grading it differently.
	LabVersion string `toml:"lab_version"`
}

func loadMeta(fsys fs.FS) (Meta, Problems) {
	var m Meta
	src, err := fs.ReadFile(fsys, MetaFile)
	if err != nil {
		return m, nil
	}
	_, lines, ps, ok := decodeStrict(MetaFile, src, &m, "name, source, lab_version")
	if !ok {
		return Meta{}, ps
	}
	if m.LabVersion != "" && !semver.IsValid(m.LabVersion) {
		ps.add(MetaFile, lines.find(toml.Key{"lab_version"}), "lab_version %q is not a release version like \"v0.4.0\"", m.LabVersion)
		m.LabVersion = ""
	}
	return m, ps
}
