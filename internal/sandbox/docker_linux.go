//go:build linux && (amd64 || arm64)

package sandbox

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Docker runs the test binary in a container: no network, read-only root, an unprivileged
// uid, no capabilities, no_new_privs, memory and pids cgroups, and a tmpfs /tmp. The image is
// made locally (`docker import` of a rootfs with nothing but /tmp, /etc/passwd and, when the
// launcher is dynamically linked, the host's /lib symlinks), so no registry is needed; the
// binaries are bind-mounted read-only. Containers carry the label lab.sandbox=1 (Sweep).
//
// A `docker run` costs about 0.6 s on the project machine (most of it runc and the storage
// driver starting the container), which is why "auto" prefers bwrap.
type Docker struct {
	once  sync.Once
	err   error
	path  string
	sweep sync.Once
	image string
}

// Name implements Backend.
func (*Docker) Name() string { return "docker" }

// Available implements Backend: the docker command answers, the engine runs Linux containers
// on this kernel, and the sandbox image exists or can be made.
func (d *Docker) Available(ctx context.Context) error {
	d.once.Do(func() { d.err = d.probe(ctx) })
	return d.err
}

func (d *Docker) probe(ctx context.Context) error {
	p, err := exec.LookPath("docker")
	if err != nil {
		return errors.New("the docker command is not installed: install Docker (https://docs.docker.com/engine/install/), or install bubblewrap: sudo apt-get install bubblewrap")
	}
	d.path = p
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, p, "version", "--format", "{{.Server.Os}}").CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "permission denied") {
			return errors.New("this user cannot use Docker: add it to the docker group (sudo usermod -aG docker $USER, then log in again), or install bubblewrap: sudo apt-get install bubblewrap")
		}
		return fmt.Errorf("Docker is not running (%s): start Docker, or install bubblewrap: sudo apt-get install bubblewrap", firstLine(out))
	}
	if strings.TrimSpace(string(out)) != "linux" {
		return errors.New("Docker runs Windows containers here: switch it to Linux containers")
	}
	launch, err := launcherPath()
	if err != nil {
		return err
	}
	return d.ensureImage(ctx, isDynamic(launch))
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if s == "" {
		return "no answer"
	}
	return s
}

// ensureImage makes the sandbox image unless it exists. Its name carries a hash of its
// content, so a host with another library layout gets its own.
func (d *Docker) ensureImage(ctx context.Context, dyn bool) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(h *tar.Header, body string) {
		h.Size = int64(len(body))
		h.ModTime = time.Unix(0, 0)
		tw.WriteHeader(h)
		tw.Write([]byte(body))
	}
	add(&tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777}, "")
	add(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}, "")
	add(&tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644}, "nobody:x:65534:65534:nobody:/tmp:/nonexistent\n")
	add(&tar.Header{Name: "etc/group", Typeflag: tar.TypeReg, Mode: 0o644}, "nogroup:x:65534:\n")
	add(&tar.Header{Name: "etc/hosts", Typeflag: tar.TypeReg, Mode: 0o644}, "127.0.0.1 localhost\n::1 localhost\n")
	if dyn {
		for _, dir := range hostLibDirs {
			if fi, err := os.Lstat(dir); err == nil && fi.Mode()&os.ModeSymlink != 0 {
				t, _ := os.Readlink(dir)
				add(&tar.Header{Name: strings.TrimPrefix(dir, "/"), Typeflag: tar.TypeSymlink, Linkname: t, Mode: 0o777}, "")
			}
		}
	}
	tw.Close()
	sum := sha256.Sum256(buf.Bytes())
	d.image = "learnlab/sandbox:" + hex.EncodeToString(sum[:6])
	if exec.CommandContext(ctx, d.path, "image", "inspect", d.image).Run() == nil {
		return nil
	}
	cmd := exec.CommandContext(ctx, d.path, "import", "--change", "LABEL lab.sandbox=1", "-", d.image)
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("make the sandbox image %s: %s", d.image, firstLine(out))
	}
	return nil
}

// Run implements Backend.
func (d *Docker) Run(ctx context.Context, s Spec) (*Result, error) {
	if err := d.Available(ctx); err != nil {
		return nil, err
	}
	// Containers of a lab killed mid-run end on their own when their control socket closes;
	// this removes any that did not (once per lab process: `docker ps` costs ~50 ms).
	d.sweep.Do(func() { _ = Sweep(ctx) })
	lim := s.Limits.withDefaults(s.Deadline)
	ss, err := newSession(s, lim, true)
	if err != nil {
		return nil, err
	}
	defer ss.close()
	ss.oomIs137 = true
	name := "lab-sandbox-" + strconv.Itoa(os.Getpid()) + "-" + strings.TrimPrefix(ss.dir[strings.LastIndex(ss.dir, "-"):], "-")
	user := "65534:65534"
	if ss.uid > 0 {
		user = strconv.Itoa(ss.uid) + ":" + strconv.Itoa(ss.uid)
	}
	mem := strconv.FormatInt(lim.Memory, 10)
	args := []string{"run", "--rm", "--name", name, "--label", "lab.sandbox=1",
		"--label", "lab.sandbox.pid=" + strconv.Itoa(os.Getpid()),
		"--network", "none", "--log-driver", "none", "--read-only", "--user", user,
		"--cap-drop", "ALL", "--security-opt", "no-new-privileges",
		"--memory", mem, "--memory-swap", mem, "--pids-limit", strconv.Itoa(lim.Procs),
		"--tmpfs", fmt.Sprintf("%s:rw,noexec,nosuid,nodev,size=%d,mode=1777", inTmp, tmpSize),
		"--mount", "type=bind,src=" + ss.launch + ",dst=" + inLauncher + ",readonly",
		"--mount", "type=bind,src=" + s.Binary + ",dst=" + inTest + ",readonly",
		"--mount", "type=bind,src=" + ss.dir + ",dst=" + inSock + ",readonly",
		"--mount", "type=bind,src=" + s.Dir + ",dst=" + s.Dir + ",readonly",
	}
	if ss.dyn {
		for _, dir := range hostLibDirs {
			if fi, err := os.Lstat(dir); err == nil && fi.IsDir() {
				args = append(args, "--mount", "type=bind,src="+dir+",dst="+dir+",readonly")
			}
		}
	}
	args = append(args, "--entrypoint", inLauncher, d.image, LauncherArg, "supervise")
	res, err := ss.run(ctx, s, lim, d.path, args)
	if res == nil || res.Killed != "" || !ss.reported {
		// The docker command was stopped, or the container never reported: make sure it
		// is gone (with --rm it usually is; this is the backstop).
		rm := exec.Command(d.path, "rm", "-f", name)
		_ = rm.Run()
	}
	return res, err
}

// Sweep removes sandbox containers left by lab processes that no longer exist (a lab killed
// with SIGKILL while a run was going).
func Sweep(ctx context.Context) error {
	p, err := exec.LookPath("docker")
	if err != nil {
		return nil
	}
	out, err := exec.CommandContext(ctx, p, "ps", "-a", "--filter", "label=lab.sandbox=1", "--format", `{{.ID}} {{.Label "lab.sandbox.pid"}}`).Output()
	if err != nil {
		return fmt.Errorf("list sandbox containers: %w", err)
	}
	var stale []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		id, pid, ok := strings.Cut(l, " ")
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(pid); err == nil && n != os.Getpid() {
			if _, err := os.Stat("/proc/" + pid); err == nil {
				continue // its lab still runs
			}
		}
		if pid != strconv.Itoa(os.Getpid()) {
			stale = append(stale, id)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	return exec.CommandContext(ctx, p, append([]string{"rm", "-f"}, stale...)...).Run()
}
