module labwork/02-auth

go 1.26.8

require (
	golang.org/x/crypto v0.58.0
	golang.org/x/oauth2 v0.38.0
)
