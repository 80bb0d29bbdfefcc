package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3".
var version = ""

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print lab's version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			v, detail := buildVersion()
			if detail != "" {
				detail = ", " + detail
			}
			fmt.Fprintf(a.out, "lab %s (%s, %s/%s%s)\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH, detail)
		},
	}
}
