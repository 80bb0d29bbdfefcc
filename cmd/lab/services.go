package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/services"
)

var (
	servicesOnce sync.Once
	servicesMgr  *services.Manager
)

// labServices is the process's one services.Manager (LAB_SERVICES and friends from the
// environment). Local servers stop when their last check releases them; containers stay.
func labServices() *services.Manager {
	servicesOnce.Do(func() { servicesMgr = services.New(services.Options{}) })
	return servicesMgr
}

// servicesErr maps "this machine cannot run them" to exit code 3.
func servicesErr(err error) error {
	if errors.Is(err, services.ErrUnavailable) {
		return envErr(err)
	}
	return err
}

func newServicesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "services",
		Short: "Run the Redis and PostgreSQL the labs use, for `go run .` and curl",
		Long: `lab check starts Redis and PostgreSQL by itself; these commands let you run the same
servers while you work on a lab by hand:

  lab services up [lab]     start them and print REDIS_URL / DATABASE_URL
  eval "$(lab services env [lab])"   set REDIS_URL and DATABASE_URL in this shell
  lab services status       show what runs
  lab services down         remove every container lab created

How they run is chosen by LAB_SERVICES (default auto): docker (containers named lab-redis-*,
lab-postgres-*, kept between checks), local (redis-server and postgres from your packages;
"up" then stays in the foreground until Ctrl-C), or external (your servers, given by
LAB_REDIS_URL and LAB_DATABASE_URL). For manual use you get Redis database 0 and the
PostgreSQL database "lab"; checks use databases 1-15 and a fresh database each, so they never
touch your data. LAB_REDIS_IMAGE and LAB_POSTGRES_IMAGE choose other images.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "up [lab]",
			Short: "Start the services (all, or those the lab uses) and print their URLs",
			Args:  cobra.MaximumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return servicesUp(cmd.Context(), a, args, false)
			},
		},
		&cobra.Command{
			Use:   "env [lab]",
			Short: "Print export lines for REDIS_URL and DATABASE_URL: eval \"$(lab services env)\"",
			Args:  cobra.MaximumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return servicesUp(cmd.Context(), a, args, true)
			},
		},
		&cobra.Command{
			Use:   "status",
			Short: "Show the services lab runs",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return servicesStatus(cmd.Context(), a)
			},
		},
		&cobra.Command{
			Use:   "down",
			Short: "Remove every container lab created and stop a `lab services up`",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return servicesDown(cmd.Context(), a)
			},
		},
	)
	return cmd
}

// serviceNames is what a lab lists, or both services without a lab.
func serviceNames(a *app, args []string) ([]string, error) {
	if len(args) == 0 {
		return []string{services.Redis, services.Postgres}, nil
	}
	c, err := a.course()
	if err != nil {
		return nil, err
	}
	l, err := a.lab(c, args[0])
	if err != nil {
		return nil, err
	}
	if len(l.Services) == 0 {
		return nil, usageErr(fmt.Errorf("lab %s uses no services", args[0]))
	}
	return l.Services, nil
}

func servicesUp(ctx context.Context, a *app, args []string, envOnly bool) error {
	names, err := serviceNames(a, args)
	if err != nil {
		return err
	}
	m := labServices()
	defer m.Close()
	if !envOnly {
		fmt.Fprintf(a.errOut, "starting %s (LAB_SERVICES=%s)...\n", strings.Join(names, " and "), m.Mode())
	}
	srv, err := m.Servers(ctx, names)
	if err != nil {
		return servicesErr(err)
	}
	foreground := false
	for _, s := range srv {
		foreground = foreground || !s.Persistent
	}
	if envOnly && foreground {
		return envErr(errors.New(`the local servers would stop as soon as this command ends.
Run ` + "`lab services up`" + ` in another terminal (it stays in the foreground), then eval "$(lab services env)" here.`))
	}
	for _, l := range services.EnvLines(srv) {
		fmt.Fprintln(a.out, l)
	}
	if envOnly {
		return nil
	}
	for _, s := range srv {
		fmt.Fprintf(a.errOut, "%s: %s via %s\n", s.Service, s.Detail, s.Provider)
	}
	if !foreground {
		fmt.Fprintln(a.errOut, "Set them in a shell with: eval \"$(lab services env)\"   Remove them with: lab services down")
		return nil
	}
	unpublish, err := m.PublishLocal()
	if err != nil {
		return err
	}
	defer unpublish()
	fmt.Fprintln(a.errOut, "Running in the foreground (local binaries): press Ctrl-C to stop them.\n"+
		"Checks and `lab services env` in other terminals use these servers meanwhile.")
	<-ctx.Done()
	fmt.Fprintln(a.errOut, "stopping...")
	return nil
}

func servicesStatus(ctx context.Context, a *app) error {
	mode := labServices().Mode()
	fmt.Fprintf(a.out, "LAB_SERVICES=%s\n", mode)
	for _, v := range []string{"LAB_REDIS_URL", "LAB_DATABASE_URL", "LAB_REDIS_IMAGE", "LAB_POSTGRES_IMAGE"} {
		if val := os.Getenv(v); val != "" {
			fmt.Fprintf(a.out, "%s=%s\n", v, redactURL(val))
		}
	}
	if st := services.ReadLocalState(); st != nil {
		fmt.Fprintf(a.out, "local binaries: lab services up (pid %d)\n", st.PID)
		if st.Redis != "" {
			fmt.Fprintf(a.out, "  redis     %s\n", st.Redis)
		}
		if st.Postgres != "" {
			fmt.Fprintf(a.out, "  postgres  %s\n", st.Postgres)
		}
	}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	cs, err := services.Containers(pctx, nil)
	if err != nil {
		fmt.Fprintf(a.out, "docker: %v\n", err)
		return nil
	}
	if len(cs) == 0 {
		fmt.Fprintln(a.out, "docker: no lab containers")
		return nil
	}
	tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER\tSERVICE\tIMAGE\tSTATE\tPORTS")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, c.Service, c.Image, c.State, c.Ports)
	}
	return tw.Flush()
}

func servicesDown(ctx context.Context, a *app) error {
	var errs []error
	if st := services.ReadLocalState(); st != nil {
		if err := syscall.Kill(st.PID, syscall.SIGTERM); err == nil {
			fmt.Fprintf(a.out, "stopped lab services up (pid %d)\n", st.PID)
		}
	}
	if err := services.DockerAvailable(ctx); err != nil {
		fmt.Fprintln(a.out, "docker: not running; no containers to remove")
		return nil
	}
	names, err := services.RemoveContainers(ctx, nil)
	if err != nil {
		errs = append(errs, err)
	}
	if len(names) == 0 {
		fmt.Fprintln(a.out, "no lab containers")
	}
	for _, n := range names {
		fmt.Fprintln(a.out, "removed", n)
	}
	return errors.Join(errs...)
}

func redactURL(s string) string {
	at := strings.LastIndex(s, "@")
	i := strings.Index(s, "://")
	if at < 0 || i < 0 || at < i {
		return s
	}
	if j := strings.IndexByte(s[i+3:at], ':'); j >= 0 {
		return s[:i+3+j] + ":***" + s[at:]
	}
	return s
}
