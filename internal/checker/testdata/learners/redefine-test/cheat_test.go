package main

import "testing"

func TestAdd(t *testing.T)   {}
func TestGreet(t *testing.T) {}
