package main

var spin = func() int {
	n := 0
	for {
		n++
	}
}()
