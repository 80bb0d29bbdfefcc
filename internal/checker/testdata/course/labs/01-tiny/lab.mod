module labwork/01-tiny

go 1.26.8
