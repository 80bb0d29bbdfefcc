package lab_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	lab "github.com/learnlab/lab"
	"github.com/learnlab/lab/internal/checker"
	"github.com/learnlab/lab/internal/course"
	"github.com/learnlab/lab/internal/services"
)

// TestCourse runs `lab dev check --all` over the built-in course, so a broken lab fails CI:
// the manifest and lessons load, tests belong to tasks, hints and TODOs exist, every starter
// fails every task and every solution passes. Labs that need Redis or PostgreSQL get them from
// the services package (LAB_SERVICES picks how) and are skipped, saying why, only when no
// provider can run them here. With -short only the course's loading is checked.
func TestCourse(t *testing.T) {
	c, err := course.Load(lab.Course, "")
	if err != nil {
		t.Fatalf("the built-in course has problems:\n%v", err)
	}
	if testing.Short() {
		t.Skip("-short: the course loads; dev check of every lab skipped")
	}
	ctx := context.Background()
	svc := services.New(services.Options{})
	defer svc.Close()
	probed := map[string]error{}
	var labs []*course.Lab
	for _, l := range c.Labs {
		if len(l.Services) > 0 {
			key := strings.Join(l.Services, ",")
			err, ok := probed[key]
			if !ok {
				var release func()
				_, release, err = svc.Acquire(ctx, l.Services)
				if release != nil {
					release()
				}
				probed[key] = err
			}
			if err != nil {
				// CI installs and starts every service (.ci/run): there, unavailable is a failure.
				if !errors.Is(err, services.ErrUnavailable) || os.Getenv("CI") != "" {
					t.Errorf("%s: start %s: %v", l.ID, key, err)
				}
				t.Logf("%s: SKIPPED, needs %s, unavailable here: %v", l.ID, key, err)
				continue
			}
		}
		labs = append(labs, l)
	}
	// The hidden tests are themselves tested: every task has a wrong variant it must refuse and
	// every lab two alternative designs it must accept. Race variants are graded several times,
	// so a test that catches its race only when the scheduler is kind fails here
	// (LAB_RACE_COUNT overrides).
	raceCount := 1
	if os.Getenv("CI") != "" {
		raceCount = 5
	}
	if n, err := strconv.Atoi(os.Getenv("LAB_RACE_COUNT")); err == nil && n > 0 {
		raceCount = n
	}
	var covered, uncovered []*course.Lab
	for _, l := range labs {
		if variantsPending[l.ID] {
			uncovered = append(uncovered, l)
		} else {
			covered = append(covered, l)
		}
	}
	var res []checker.DevResult
	for _, part := range []struct {
		labs    []*course.Lab
		require bool
	}{{covered, true}, {uncovered, false}} {
		if len(part.labs) == 0 {
			continue
		}
		r, err := checker.DevCheck(context.Background(), checker.DevOptions{Course: c, Labs: part.labs, Services: svc, Parallel: 2,
			RequireVariants: part.require, RaceCount: raceCount})
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, r...)
	}
	for id := range variantsPending {
		t.Logf("%s: wrong variants and alternatives not required yet (issue 16 is open for it)", id)
	}
	for _, r := range res {
		switch {
		case r.Skipped != "":
			t.Errorf("%s: not validated: %s", r.Lab.ID, r.Skipped)
		case !r.OK():
			t.Errorf("%s:\n  %s", r.Lab.ID, strings.Join(r.Problems, "\n  "))
		default:
			t.Logf("%s: ok (%s)\n  %s", r.Lab.ID, r.Duration, strings.Join(r.Coverage, "\n  "))
		}
	}
}

// variantsPending lists the labs whose hidden tests are not yet themselves tested by wrong
// variants and alternatives; every other lab must have them (empty when the course is done).
var variantsPending = map[string]bool{}
