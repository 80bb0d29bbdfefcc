//go:build labcheck

package main

import "testing"

func TestHello(t *testing.T) {}

func TestCount(t *testing.T) {}
