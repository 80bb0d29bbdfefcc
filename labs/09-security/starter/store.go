package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// User is one account as it is stored.
type User struct {
	Username     string
	Email        string
	PasswordHash string // "$argon2id$v=19$...", or a legacy bcrypt or SHA-256 hash
}

var (
	ErrNoUser      = errors.New("no such user")
	ErrUserExists  = errors.New("username taken")
	ErrHashChanged = errors.New("the stored password hash changed meanwhile")
)

// UserStore is where accounts live. pgUsers keeps them in PostgreSQL; the hidden tests of the
// tasks that need no database pass an in-memory one.
type UserStore interface {
	GetUser(ctx context.Context, username string) (User, error) // ErrNoUser
	CreateUser(ctx context.Context, u User) error               // ErrUserExists
	// ReplacePasswordHash stores newHash only if the stored hash is still oldHash, so that a
	// re-hash at login never overwrites a password changed in between (ErrHashChanged).
	ReplacePasswordHash(ctx context.Context, username, oldHash, newHash string) error
	SetEmail(ctx context.Context, username, email string) error
}

//go:embed schema.sql
var schemaSQL string

// migrate creates the tables (and a few sample rows) when they do not exist.
func migrate(ctx context.Context, db *pgxpool.Pool) error {
	if _, err := db.Exec(ctx, schemaSQL); err != nil {
		return fmt.Errorf("apply schema.sql: %w", err)
	}
	return nil
}

// pgUsers is the users table. Every value travels as a query parameter ($1, $2...).
type pgUsers struct{ db *pgxpool.Pool }

func (s *pgUsers) GetUser(ctx context.Context, username string) (User, error) {
	var u User
	err := s.db.QueryRow(ctx,
		`SELECT username, email, password_hash FROM users WHERE username = $1`, username,
	).Scan(&u.Username, &u.Email, &u.PasswordHash)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrNoUser
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %q: %w", username, err)
	}
	return u, nil
}

func (s *pgUsers) CreateUser(ctx context.Context, u User) error {
	_, err := s.db.Exec(ctx,
		`INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3)`,
		u.Username, u.Email, u.PasswordHash)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation
		return ErrUserExists
	}
	if err != nil {
		return fmt.Errorf("create user %q: %w", u.Username, err)
	}
	return nil
}

func (s *pgUsers) ReplacePasswordHash(ctx context.Context, username, oldHash, newHash string) error {
	tag, err := s.db.Exec(ctx,
		`UPDATE users SET password_hash = $3 WHERE username = $1 AND password_hash = $2`,
		username, oldHash, newHash)
	if err != nil {
		return fmt.Errorf("replace password hash of %q: %w", username, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrHashChanged
	}
	return nil
}

func (s *pgUsers) SetEmail(ctx context.Context, username, email string) error {
	tag, err := s.db.Exec(ctx, `UPDATE users SET email = $2 WHERE username = $1`, username, email)
	if err != nil {
		return fmt.Errorf("set email of %q: %w", username, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNoUser
	}
	return nil
}
