package postsdemo

import (
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Post is one post of the demo.
type Post struct {
	ID      int       `json:"id"`
	Title   string    `json:"title"`
	Author  string    `json:"author"`
	Created time.Time `json:"created"`
}

// Posts is an in-memory store; the demo is about authorization, not storage.
type Posts struct {
	mu    sync.Mutex
	next  int
	posts map[int]Post
}

// NewPosts returns a store with one welcome post.
func NewPosts() *Posts {
	p := &Posts{next: 1, posts: map[int]Post{}}
	p.Add("warden", "Welcome to the Warden demo")
	return p
}

// List returns the posts by id.
func (p *Posts) List() []Post {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Post, 0, len(p.posts))
	for _, v := range p.posts {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Add stores a post.
func (p *Posts) Add(author, title string) Post {
	p.mu.Lock()
	defer p.mu.Unlock()
	post := Post{ID: p.next, Title: title, Author: author, Created: time.Now().UTC()}
	p.posts[post.ID] = post
	p.next++
	return post
}

// Delete removes a post by its id text and reports whether it existed.
func (p *Posts) Delete(id string) bool {
	n, err := strconv.Atoi(id)
	if err != nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.posts[n]
	delete(p.posts, n)
	return ok
}

// ErrBadPost is returned by DecodeNew for a body that is not a post.
var ErrBadPost = errors.New(`body must be JSON {"title": "..."} with a title of 1 to 200 characters`)

// DecodeNew reads a new post's title from a JSON body of at most 4 KiB.
func DecodeNew(body io.Reader) (string, error) {
	var in struct {
		Title string `json:"title"`
	}
	if err := json.NewDecoder(io.LimitReader(body, 4<<10)).Decode(&in); err != nil {
		return "", ErrBadPost
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || len(in.Title) > 200 {
		return "", ErrBadPost
	}
	return in.Title, nil
}

// Me is the body of GET /me.
type Me struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Email       string   `json:"email,omitempty"`
	Groups      []string `json:"groups"`
	Permissions []string `json:"permissions"`
}
