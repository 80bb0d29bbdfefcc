package services

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"
	tcredis "github.com/testcontainers/testcontainers-go/modules/redis"
)

// Images and labels.
const (
	DefaultRedisImage    = "redis:7-alpine"
	DefaultPostgresImage = "postgres:16-alpine"
	// Built by scripts/offline-images/build-images.sh from Debian packages; used automatically
	// when the default image is not on the machine and these are.
	OfflineRedisImage    = "learnlab/redis:7-local"
	OfflinePostgresImage = "learnlab/postgres:15-local"

	LabelLab     = "dev.learnlab.lab" // "true" on every container lab creates
	LabelService = "dev.learnlab.lab.service"
	LabelImage   = "dev.learnlab.lab.image"

	pgUser     = "lab"
	pgPassword = "lab"

	probeTimeout = 2 * time.Second
)

// DockerOptions tune the Docker provider.
type DockerOptions struct {
	NamePrefix string            // container names are <prefix>-<service>-<image hash>; default "lab"
	Labels     map[string]string // extra labels (tests scope their cleanup with one)
}

var envOnce sync.Once

// prepareTestcontainersEnv sets what testcontainers needs on these machines before it reads its
// configuration (once per process): lab reaps its own containers, so Ryuk is off unless the user
// says otherwise; inside a container with Docker on a unix socket, published ports are on
// localhost (testcontainers would dial the bridge gateway and time out).
func prepareTestcontainersEnv() {
	envOnce.Do(func() {
		if _, ok := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !ok {
			os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
		}
		if _, ok := os.LookupEnv("TESTCONTAINERS_HOST_OVERRIDE"); !ok {
			dh := os.Getenv("DOCKER_HOST")
			if _, err := os.Stat("/.dockerenv"); err == nil && (dh == "" || strings.HasPrefix(dh, "unix://")) {
				os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "localhost")
			}
		}
		tclog.SetDefault(tclog.NewNoopLogger())
	})
}

// docker is the connection to the engine, probed once per process.
type docker struct {
	once sync.Once
	cli  *testcontainers.DockerClient
	err  error
	host string // where published ports are reached
	unix bool
}

var sharedDocker docker

// dialDocker connects to the engine testcontainers would use (a test replaces it to simulate a
// machine without Docker: testcontainers falls back to /var/run/docker.sock by itself).
var dialDocker = func(ctx context.Context) (*testcontainers.DockerClient, error) {
	return testcontainers.NewDockerClientWithOpts(ctx)
}

// engine returns a client to an engine that answered a ping within probeTimeout.
func (d *docker) engine(ctx context.Context) (*testcontainers.DockerClient, error) {
	d.once.Do(func() {
		prepareTestcontainersEnv()
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		defer cancel()
		type res struct {
			cli *testcontainers.DockerClient
			err error
		}
		ch := make(chan res, 1)
		go func() { // belt and braces: the probe returns in probeTimeout whatever the library does
			cli, err := dialDocker(pctx)
			if err == nil {
				_, err = cli.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true})
			}
			ch <- res{cli, err}
		}()
		select {
		case r := <-ch:
			d.cli, d.err = r.cli, r.err
		case <-pctx.Done():
			d.err = fmt.Errorf("no answer within %s", probeTimeout)
		}
		if d.err != nil {
			d.cli = nil
			return
		}
		d.host, d.unix = publishedHost(d.cli.DaemonHost())
	})
	return d.cli, d.err
}

// publishedHost is where ports published by the engine at daemonHost are reached.
func publishedHost(daemonHost string) (string, bool) {
	unix := strings.HasPrefix(daemonHost, "unix://") || strings.HasPrefix(daemonHost, "npipe://")
	host := os.Getenv("TESTCONTAINERS_HOST_OVERRIDE")
	if host == "" {
		if u, err := url.Parse(daemonHost); err == nil && !unix && u.Hostname() != "" {
			host = u.Hostname()
		}
	}
	if host == "" || host == "localhost" {
		host = "127.0.0.1"
	}
	return host, unix
}

func dockerUnavailable(err error) *unavailable {
	where := os.Getenv("DOCKER_HOST")
	if where == "" {
		where = "/var/run/docker.sock"
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "permission denied"):
		return &unavailable{
			why: fmt.Sprintf("permission denied on the Docker socket (%s)", where),
			fix: "add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), or use LAB_SERVICES=local",
		}
	case strings.Contains(msg, "rootless Docker not found"), strings.Contains(msg, "no such file"),
		strings.Contains(msg, "connection refused"), strings.Contains(msg, "Cannot connect"):
		return &unavailable{
			why: fmt.Sprintf("no Docker engine is running (tried %s)", where),
			fix: "start Docker (`sudo systemctl start docker`, or open Docker Desktop), then run the check again",
		}
	}
	return &unavailable{
		why: fmt.Sprintf("the Docker engine at %s did not answer: %s", where, firstLine(msg)),
		fix: "start Docker (`sudo systemctl start docker`, or open Docker Desktop), then run the check again",
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

type dockerProvider struct {
	d      *docker
	getenv func(string) string
	prefix string
	labels map[string]string
}

func newDockerProvider(opt Options) *dockerProvider {
	p := &dockerProvider{d: &sharedDocker, getenv: opt.Getenv, prefix: opt.Docker.NamePrefix, labels: opt.Docker.Labels}
	if p.prefix == "" {
		p.prefix = "lab"
	}
	return p
}

func (p *dockerProvider) name() string { return ModeDocker }
func (p *dockerProvider) keeps() bool  { return true }
func (p *dockerProvider) stop(*server) {}

func (p *dockerProvider) check(ctx context.Context, s *server) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if s.service == Postgres {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", hostPort(s.url))
		if err == nil {
			c.Close()
		}
		return err
	}
	return ping(ctx, s.service, s.url)
}

func hostPort(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return pu.Host
}

func ping(ctx context.Context, service, adminURL string) error {
	if service == Redis {
		return pingRedis(ctx, adminURL)
	}
	return pingPostgres(ctx, adminURL)
}

// images returns the images to look for, best first: the override alone, else the default and
// the offline build.
func (p *dockerProvider) images(service string) (imgs []string, overridden bool) {
	if service == Redis {
		if v := strings.TrimSpace(p.getenv("LAB_REDIS_IMAGE")); v != "" {
			return []string{v}, true
		}
		return []string{DefaultRedisImage, OfflineRedisImage}, false
	}
	if v := strings.TrimSpace(p.getenv("LAB_POSTGRES_IMAGE")); v != "" {
		return []string{v}, true
	}
	return []string{DefaultPostgresImage, OfflinePostgresImage}, false
}

// containerName is stable per image, so a changed image gives a new container.
func (p *dockerProvider) containerName(service, image string) string {
	h := sha256.Sum256([]byte(image))
	return fmt.Sprintf("%s-%s-%s", p.prefix, service, hex.EncodeToString(h[:4]))
}

func privatePort(service string) uint16 {
	if service == Redis {
		return 6379
	}
	return 5432
}

func (p *dockerProvider) adminURL(service string, port uint16) string {
	hp := net.JoinHostPort(p.d.host, strconv.Itoa(int(port)))
	if service == Redis {
		return "redis://" + hp + "/0"
	}
	return fmt.Sprintf("postgres://%s:%s@%s/postgres?sslmode=disable", pgUser, pgPassword, hp)
}

func (p *dockerProvider) start(ctx context.Context, service string) (*server, error) {
	cli, err := p.d.engine(ctx)
	if err != nil {
		return nil, dockerUnavailable(err)
	}
	imgs, overridden := p.images(service)

	// Fast path: a running container from an earlier check; one list call and a ping.
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", LabelService+"="+service),
	})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	for _, img := range imgs {
		name := p.containerName(service, img)
		for _, c := range list.Items {
			if !slices.Contains(c.Names, "/"+name) {
				continue
			}
			if c.State == container.StateCreated || c.State == container.StateDead {
				// Left half-made by a check interrupted while creating it: reusing it by name
				// races with that check's own clean-up, so remove it and create it afresh.
				_, _ = cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
				continue
			}
			if c.State != container.StateRunning {
				continue
			}
			for _, port := range c.Ports {
				if port.PrivatePort != privatePort(service) || port.PublicPort == 0 {
					continue
				}
				u := p.adminURL(service, port.PublicPort)
				pctx, cancel := context.WithTimeout(ctx, probeTimeout)
				var err error
				if service == Redis {
					err = ping(pctx, service, u)
				} else {
					// A PostgreSQL connection costs a backend fork (~50-200 ms here): dial only;
					// the check's own connection follows, and Acquire retries through the slow
					// path if that fails.
					var c net.Conn
					c, err = (&net.Dialer{}).DialContext(pctx, "tcp", net.JoinHostPort(p.d.host, strconv.Itoa(int(port.PublicPort))))
					if err == nil {
						c.Close()
					}
				}
				cancel()
				if err == nil {
					return &server{service: service, url: u, via: ModeDocker, detail: name + " (" + img + ")"}, nil
				}
			}
		}
	}

	// Slow path: pick the image (the default if present, else the offline build if present,
	// else the default, pulled) and create or restart the named container.
	img := imgs[0]
	present := p.imagePresent(ctx, cli, img)
	if !present && !overridden {
		for _, alt := range imgs[1:] {
			if p.imagePresent(ctx, cli, alt) {
				img, present = alt, true
				break
			}
		}
	}
	s, err := p.run(ctx, service, img)
	for try := 1; try <= 3 && err != nil && ctx.Err() == nil && strings.Contains(err.Error(), "No such container"); try++ {
		// The named container vanished between lookup and use: the engine was still removing
		// the half-made one of a check interrupted while creating it. Create it again.
		select {
		case <-time.After(time.Duration(try) * 200 * time.Millisecond):
		case <-ctx.Done():
		}
		s, err = p.run(ctx, service, img)
	}
	if err != nil && !present && ctx.Err() == nil {
		return nil, &unavailable{
			why: fmt.Sprintf("image %s is not on this machine and could not be pulled (%s)", img, firstLine(err.Error())),
			fix: imageFix(service, overridden),
		}
	}
	return s, err
}

func imageFix(service string, overridden bool) string {
	v, off := "LAB_REDIS_IMAGE", OfflineRedisImage
	if service == Postgres {
		v, off = "LAB_POSTGRES_IMAGE", OfflinePostgresImage
	}
	if overridden {
		return fmt.Sprintf("check %s, or `docker pull` that image, or unset %s", v, v)
	}
	return fmt.Sprintf("with no registry, build the images from Debian packages: `sudo scripts/offline-images/build-images.sh` (lab uses %s automatically)", off)
}

func (p *dockerProvider) imagePresent(ctx context.Context, cli *testcontainers.DockerClient, img string) bool {
	_, err := cli.ImageInspect(ctx, img)
	return err == nil
}

func (p *dockerProvider) run(ctx context.Context, service, img string) (*server, error) {
	name := p.containerName(service, img)
	labels := map[string]string{LabelLab: "true", LabelService: service, LabelImage: img}
	for k, v := range p.labels {
		labels[k] = v
	}
	port := network.MustParsePort(strconv.Itoa(int(privatePort(service))) + "/tcp")
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithReuseByName(name),
		testcontainers.WithLabels(labels),
	}
	if p.d.unix {
		// A local engine: publish on loopback only (the servers have no or a known password).
		opts = append(opts, testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{port: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "0"}}}
		}))
	}
	var (
		ctr testcontainers.Container
		err error
	)
	switch service {
	case Redis:
		opts = append(opts,
			testcontainers.WithCmd("redis-server", "--save", "", "--appendonly", "no"),
			testcontainers.WithTmpfs(map[string]string{"/data": "rw"}),
		)
		var c *tcredis.RedisContainer
		c, err = tcredis.Run(ctx, img, opts...)
		if c != nil {
			ctr = c
		}
	case Postgres:
		opts = append(opts,
			tcpostgres.WithDatabase(manualDatabase),
			tcpostgres.WithUsername(pgUser),
			tcpostgres.WithPassword(pgPassword),
			tcpostgres.BasicWaitStrategies(),
			testcontainers.WithCmd("postgres", "-c", "fsync=off", "-c", "full_page_writes=off",
				"-c", "synchronous_commit=off", "-c", "max_connections=300"),
			testcontainers.WithTmpfs(map[string]string{"/var/lib/postgresql/data": "rw"}),
		)
		if p.d.unix {
			// Published on loopback only: skip SCRAM's deliberate slowness on every connect.
			opts = append(opts, testcontainers.WithEnv(map[string]string{"POSTGRES_HOST_AUTH_METHOD": "trust"}))
		}
		var c *tcpostgres.PostgresContainer
		c, err = tcpostgres.Run(ctx, img, opts...)
		if c != nil {
			ctr = c
		}
	}
	if err != nil {
		if ctr != nil {
			// A half-made container would break every later check: remove it.
			_ = testcontainers.TerminateContainer(ctr, testcontainers.StopTimeout(0))
		}
		return nil, err
	}
	mapped, err := ctr.MappedPort(ctx, port.String())
	if err != nil {
		return nil, fmt.Errorf("published port of %s: %w", name, err)
	}
	u := p.adminURL(service, mapped.Num())
	// The wait strategies may pass on a restarted container's old logs: wait for a real answer.
	deadline := time.Now().Add(30 * time.Second)
	for {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		err = ping(pctx, service, u)
		cancel()
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s started but does not answer at %s: %w", name, u, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &server{service: service, url: u, via: ModeDocker, detail: name + " (" + img + ")"}, nil
}

// Container is one container lab created, for `lab services status`.
type Container struct {
	Name, Service, Image, State, Ports string
}

// dockerList lists lab's containers (label filter); extra narrows to one test's.
func dockerList(ctx context.Context, extra map[string]string) (*testcontainers.DockerClient, []container.Summary, error) {
	cli, err := sharedDocker.engine(ctx)
	if err != nil {
		return nil, nil, dockerUnavailable(err)
	}
	f := make(client.Filters).Add("label", LabelLab+"=true")
	for k, v := range extra {
		f = f.Add("label", k+"="+v)
	}
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, nil, err
	}
	return cli, list.Items, nil
}

// Containers lists the containers lab created.
func Containers(ctx context.Context, labels map[string]string) ([]Container, error) {
	_, items, err := dockerList(ctx, labels)
	if err != nil {
		return nil, err
	}
	var out []Container
	for _, c := range items {
		var ports []string
		for _, pt := range c.Ports {
			if pt.PublicPort != 0 {
				ports = append(ports, fmt.Sprintf("%s:%d->%d", pt.IP, pt.PublicPort, pt.PrivatePort))
			}
		}
		out = append(out, Container{
			Name:    strings.TrimPrefix(firstOr(c.Names, c.ID[:12]), "/"),
			Service: c.Labels[LabelService],
			Image:   c.Image,
			State:   string(c.State),
			Ports:   strings.Join(ports, ","),
		})
	}
	return out, nil
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

// RemoveContainers force-removes every container lab created (found by label; labels narrows
// it further) and returns their names.
func RemoveContainers(ctx context.Context, labels map[string]string) ([]string, error) {
	cli, items, err := dockerList(ctx, labels)
	if err != nil {
		return nil, err
	}
	var names []string
	var errs []error
	for _, c := range items {
		_, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !strings.Contains(err.Error(), "No such container") {
			errs = append(errs, err)
			continue
		}
		names = append(names, strings.TrimPrefix(firstOr(c.Names, c.ID[:12]), "/"))
	}
	return names, errors.Join(errs...)
}

// DockerAvailable probes the engine (≤2 s, once per process).
func DockerAvailable(ctx context.Context) error {
	if _, err := sharedDocker.engine(ctx); err != nil {
		return dockerUnavailable(err)
	}
	return nil
}
