module labwork/02-auth

go 1.26.8

require (
	github.com/golang-jwt/jwt/v5 v5.3.1
	golang.org/x/crypto v0.58.0
	golang.org/x/oauth2 v0.38.0
)
