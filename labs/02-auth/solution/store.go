package main

import (
	"errors"
	"slices"
	"strings"
	"sync"
)

const (
	roleUser  = "user"
	roleAdmin = "admin"
)

// User is an account. PasswordHash is empty for users who sign in with a provider.
type User struct {
	Username     string
	PasswordHash string
	Role         string // roleUser or roleAdmin
}

// userView is what the API shows of a user: never the hash.
type userView struct {
	Username string `json:"username"`
	Role     string `json:"role"`
}

func viewOf(u User) userView { return userView{Username: u.Username, Role: u.Role} }

var errUserExists = errors.New("username taken")

// UserStore keeps users in memory. Safe for concurrent use.
type UserStore struct {
	mu    sync.Mutex
	users map[string]User
}

func newUserStore() *UserStore { return &UserStore{users: map[string]User{}} }

// Add stores a new user, or returns errUserExists.
func (s *UserStore) Add(u User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[u.Username]; ok {
		return errUserExists
	}
	s.users[u.Username] = u
	return nil
}

// Get returns the user with that name.
func (s *UserStore) Get(username string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[username]
	return u, ok
}

// All returns every user, by username.
func (s *UserStore) All() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.Username, b.Username) })
	return out
}

// Note is one note, owned by the user who wrote it.
type Note struct {
	ID    int    `json:"id"`
	Owner string `json:"owner"`
	Text  string `json:"text"`
}

// NoteStore keeps notes in memory. Safe for concurrent use.
type NoteStore struct {
	mu     sync.Mutex
	nextID int
	notes  map[int]Note
}

func newNoteStore() *NoteStore { return &NoteStore{nextID: 1, notes: map[int]Note{}} }

func (s *NoteStore) Add(owner, text string) Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := Note{ID: s.nextID, Owner: owner, Text: text}
	s.notes[n.ID] = n
	s.nextID++
	return n
}

func (s *NoteStore) Get(id int) (Note, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.notes[id]
	return n, ok
}

func (s *NoteStore) Delete(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.notes, id)
}

// All returns every note, by id.
func (s *NoteStore) All() []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Note, 0, len(s.notes))
	for _, n := range s.notes {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b Note) int { return a.ID - b.ID })
	return out
}
