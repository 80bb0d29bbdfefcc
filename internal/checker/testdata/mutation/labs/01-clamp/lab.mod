module labwork/01-clamp

go 1.26.8
