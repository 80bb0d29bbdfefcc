package main

import "context"

// ctxKey is unexported, so no other package can read or overwrite our context values by
// accident: context keys compare by type and value, and nobody else can name this type.
type ctxKey int

const (
	requestIDKey ctxKey = iota
	userKey
)

// withRequestID returns a copy of ctx that carries the request id.
func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// requestIDFrom returns the request id in ctx, or "" when there is none.
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// withUser returns a copy of ctx that carries the authenticated user's name.
func withUser(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, userKey, user)
}

// userFrom returns the authenticated user in ctx.
func userFrom(ctx context.Context) (string, bool) {
	u, ok := ctx.Value(userKey).(string)
	return u, ok
}
