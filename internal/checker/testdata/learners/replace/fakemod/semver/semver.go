// Package semver is a fake that makes every version equal.
package semver

func Compare(v, w string) int { return 0 }
