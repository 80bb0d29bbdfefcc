module labwork/01-rest-api

go 1.26.8
