package main

import "fmt"

// greet says hello. TODO(greet): return "Hello, NAME!".
func greet(name string) string { return "" }

// farewell says goodbye. TODO(farewell): return "Bye, NAME.".
func farewell(name string) string { return "" }

func main() { fmt.Println(greet("world")) }
