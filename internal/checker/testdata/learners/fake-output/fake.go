package main

import (
	"fmt"
	"os"
)

func init() {
	fmt.Println("--- PASS: TestAdd (0.00s)")
	fmt.Println(`{"Action":"pass","Package":"labwork/01-tiny","Test":"TestAdd"}`)
	fmt.Println("PASS")
	fmt.Println("ok  \tlabwork/01-tiny\t0.001s")
	os.Stdout.WriteString("--- PASS: TestGreet (0.00s)\n{\"Action\":\"pass\",\"Test\":\"TestNewer\"}\n")
}
