module labwork/03-middleware

go 1.26.8

require golang.org/x/time v0.16.0
