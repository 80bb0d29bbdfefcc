module labwork/04-async

go 1.26.8
