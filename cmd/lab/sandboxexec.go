package main

// The sandbox's launcher is lab's own binary, bound read-only into each sandboxed run: the
// sandbox package takes over in its init when argv[1] is sandbox.LauncherArg, before cobra
// parses anything. This import keeps lab a launcher whatever else links the package.
import _ "github.com/learnlab/lab/internal/sandbox"
