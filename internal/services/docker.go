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
	// LabelConfig is the version of the containers' configuration; it is part of their name,
	// so an older lab on the same machine keeps using (and never reconfigures) its own.
	LabelConfig = "dev.learnlab.lab.config"
	// LabelSecret holds the admin password, made at creation, that the next lab process reads
	// back. Only who may talk to the Docker engine sees it; checks in a sandbox cannot.
	LabelSecret = "dev.learnlab.lab.secret"

	// configVersion 2: admin passwords, per-check Redis servers, SCRAM for every connection.
	configVersion = "2"

	pgUser = "lab"
	// redisPoolPort is the first port of the per-check Redis servers inside the container.
	redisPoolPort = 6400
	// redisMaxMemory bounds each Redis of the container, so one check cannot eat the memory
	// of the others.
	redisMaxMemory = "256mb"

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
			defer func() {
				// The client library has panicked here once, on a machine at load 40 (a
				// nil dereference in its setup): that is "no Docker", not a crash of lab.
				if r := recover(); r != nil {
					ch <- res{nil, fmt.Errorf("the Docker client failed: %v", r)}
				}
			}()
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

// containerName is stable per image and configuration, so a changed image or configuration
// gives a new container.
func (p *dockerProvider) containerName(service, image string) string {
	h := sha256.Sum256([]byte(image + "\x00" + configVersion))
	return fmt.Sprintf("%s-%s-%s", p.prefix, service, hex.EncodeToString(h[:4]))
}

func privatePort(service string) uint16 {
	if service == Redis {
		return 6379
	}
	return 5432
}

func (p *dockerProvider) adminURL(service string, port uint16, secret string) string {
	hp := net.JoinHostPort(p.d.host, strconv.Itoa(int(port)))
	if service == Redis {
		return redisURL(hp, redisAdminUser, secret, 0)
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword(pgUser, secret), Host: hp, Path: "/postgres", RawQuery: "sslmode=disable"}
	return u.String()
}

// serverFrom describes a running container by its published ports; false when a port is
// missing (a container made by another configuration).
func (p *dockerProvider) serverFrom(service, name, img, secret string, published map[uint16]uint16) (*server, bool) {
	admin, ok := published[privatePort(service)]
	if !ok || secret == "" {
		return nil, false
	}
	s := &server{service: service, url: p.adminURL(service, admin, secret), via: ModeDocker, detail: name + " (" + img + ")", secret: secret}
	if service == Redis {
		for i := range redisPool {
			hp, ok := published[uint16(redisPoolPort+i)]
			if !ok {
				return nil, false
			}
			s.pool = append(s.pool, net.JoinHostPort(p.d.host, strconv.Itoa(int(hp))))
		}
	}
	return s, true
}

// containerPorts are the ports a service's container publishes.
func containerPorts(service string) []network.Port {
	ports := []network.Port{network.MustParsePort(strconv.Itoa(int(privatePort(service))) + "/tcp")}
	if service == Redis {
		for i := range redisPool {
			ports = append(ports, network.MustParsePort(strconv.Itoa(redisPoolPort+i)+"/tcp"))
		}
	}
	return ports
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
			published := map[uint16]uint16{}
			for _, port := range c.Ports {
				if port.PublicPort != 0 {
					published[port.PrivatePort] = port.PublicPort
				}
			}
			s, ok := p.serverFrom(service, name, img, c.Labels[LabelSecret], published)
			if !ok {
				continue
			}
			pctx, cancel := context.WithTimeout(ctx, probeTimeout)
			var err error
			if service == Redis {
				err = ping(pctx, service, s.url)
			} else {
				// A PostgreSQL connection costs a backend fork (~50-200 ms here): dial only;
				// the check's own connection follows, and Acquire retries through the slow
				// path if that fails.
				var c net.Conn
				c, err = (&net.Dialer{}).DialContext(pctx, "tcp", hostPort(s.url))
				if err == nil {
					c.Close()
				}
			}
			cancel()
			if err == nil {
				return s, nil
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

// redisScript is the Redis container's command: redisPool servers for checks in the background
// and the admin one (claims, manual use) in the foreground. Every default user is off: only
// "lab" with the container's secret, and the users made per check, get in.
const redisScript = `set -e
common="--save '' --appendonly no --dir /tmp --protected-mode no --maxmemory ` + redisMaxMemory + ` --user default off --user ` + redisAdminUser + ` on '>$LAB_SECRET' '~*' '&*' '+@all'"
i=0
while [ $i -lt $LAB_POOL ]; do
	eval redis-server --port $(($LAB_POOL_PORT + i)) --loglevel warning $common &
	i=$((i + 1))
done
eval exec redis-server --port 6379 $common`

func (p *dockerProvider) run(ctx context.Context, service, img string) (*server, error) {
	name := p.containerName(service, img)
	secret := randomHex(16)
	labels := map[string]string{LabelLab: "true", LabelService: service, LabelImage: img, LabelConfig: configVersion, LabelSecret: secret}
	for k, v := range p.labels {
		labels[k] = v
	}
	ports := containerPorts(service)
	var exposed []string
	for _, pt := range ports {
		exposed = append(exposed, pt.String())
	}
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithReuseByName(name),
		testcontainers.WithLabels(labels),
		testcontainers.WithExposedPorts(exposed...),
	}
	if p.d.unix {
		// A local engine: publish on loopback only.
		opts = append(opts, testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{}
			for _, pt := range ports {
				hc.PortBindings[pt] = []network.PortBinding{{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "0"}}
			}
		}))
	}
	var (
		ctr testcontainers.Container
		err error
	)
	switch service {
	case Redis:
		opts = append(opts,
			testcontainers.WithCmd("sh", "-c", redisScript),
			testcontainers.WithEnv(map[string]string{"LAB_SECRET": secret, "LAB_POOL": strconv.Itoa(redisPool), "LAB_POOL_PORT": strconv.Itoa(redisPoolPort)}),
			testcontainers.WithConfigModifier(func(c *container.Config) { c.User = "redis" }),
		)
		var c *tcredis.RedisContainer
		c, err = tcredis.Run(ctx, img, opts...)
		if c != nil {
			ctr = c
		}
	case Postgres:
		opts = append(opts,
			// No POSTGRES_DB: the image's entrypoint would create it over a socket that now
			// asks for the password too; Servers creates "lab" when it is first needed.
			tcpostgres.WithDatabase("postgres"),
			tcpostgres.WithUsername(pgUser),
			tcpostgres.WithPassword(secret),
			tcpostgres.BasicWaitStrategies(),
			testcontainers.WithCmd("postgres", "-c", "fsync=off", "-c", "full_page_writes=off",
				"-c", "synchronous_commit=off", "-c", "max_connections=300"),
			testcontainers.WithTmpfs(map[string]string{"/var/lib/postgresql/data": "rw"}),
			// A password for every connection, from inside the container too (its loopback
			// and socket would otherwise trust anyone who names the superuser).
			testcontainers.WithEnv(map[string]string{"POSTGRES_INITDB_ARGS": "--auth-local=scram-sha-256 --auth-host=scram-sha-256"}),
		)
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
	info, err := ctr.Inspect(ctx)
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", name, err)
	}
	if info.Config != nil && info.Config.Labels[LabelSecret] != "" {
		secret = info.Config.Labels[LabelSecret] // a stopped container restarted: its own secret
	}
	published := map[uint16]uint16{}
	for _, pt := range ports {
		mapped, err := ctr.MappedPort(ctx, pt.String())
		if err != nil {
			return nil, fmt.Errorf("published port %s of %s: %w", pt, name, err)
		}
		published[pt.Num()] = mapped.Num()
	}
	s, _ := p.serverFrom(service, name, img, secret, published)
	// The wait strategies may pass on a restarted container's old logs, and the per-check
	// servers start beside the admin one: wait for a real answer from each.
	urls := []string{s.url}
	for _, hp := range s.pool {
		urls = append(urls, redisURL(hp, redisAdminUser, secret, 0))
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, u := range urls {
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
				return nil, fmt.Errorf("%s started but does not answer at %s: %w", name, redact(u), err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return s, nil
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
