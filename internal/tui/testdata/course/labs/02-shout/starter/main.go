package main

// shout TODO(shout): upper-case s and add "!".
func shout(s string) string { return s }

func main() {}
