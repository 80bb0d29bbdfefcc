module example.com/democourse

go 1.26
