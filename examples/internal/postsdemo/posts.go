package postsdemo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/filter/gormfilter"
	"github.com/wardenhq/warden/filter/sqlfilter"
)

// Post is one post of the demo. Status is "published" or "draft".
type Post struct {
	ID      int       `json:"id" gorm:"primaryKey"`
	Title   string    `json:"title"`
	Author  string    `json:"author"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

// The post statuses.
const (
	Published = "published"
	Draft     = "draft"
)

// SeedPosts are the posts each start begins with: whose they are and
// whether they are drafts decide who sees them (see VisibilitySeed).
var SeedPosts = []Post{
	{Title: "Welcome to the Warden demo", Author: "warden", Status: Published},
	{Title: "Bob's draft", Author: "bob", Status: Draft},
	{Title: "Carol's notes", Author: "carol", Status: Draft},
	{Title: "Release plan", Author: "alice", Status: Published},
}

// postColumns maps the visibility model's attributes to the posts table.
var postColumns = sqlfilter.Columns{"obj.Author": "author", "obj.Status": "status"}

// Posts is the posts table, in an embedded SQLite database of the process:
// the demo is about authorization, so each start begins with SeedPosts.
type Posts struct {
	db *gorm.DB
}

// NewPosts opens the store and writes SeedPosts.
func NewPosts() (*Posts, error) {
	name := make([]byte, 8)
	_, _ = rand.Read(name)
	dsn := "file:posts-" + hex.EncodeToString(name) + "?mode=memory&cache=shared"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		return nil, fmt.Errorf("posts: %w", err)
	}
	// One connection: a shared in-memory database lives as long as one is
	// open, and SQLite serialises writers anyway.
	if s, err := db.DB(); err == nil {
		s.SetMaxOpenConns(1)
	}
	// TEXT with SQLite's BINARY collation compares exactly, as the policy
	// does (see docs/filtering.md).
	if err := db.Exec(`CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL,
		author TEXT NOT NULL, status TEXT NOT NULL, created DATETIME NOT NULL)`).Error; err != nil {
		return nil, fmt.Errorf("posts: %w", err)
	}
	p := &Posts{db: db}
	for _, s := range SeedPosts {
		if _, err := p.Add(context.Background(), s.Author, NewPost{Title: s.Title, Draft: s.Status == Draft}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Close closes the store.
func (p *Posts) Close() error {
	s, err := p.db.DB()
	if err != nil {
		return err
	}
	return s.Close()
}

// Visible returns one page of the posts plan allows, by id: the filter
// runs in the database, so the page is full and the offset counts only
// visible posts.
func (p *Posts) Visible(ctx context.Context, plan filter.Plan, limit, offset int) ([]Post, error) {
	out := []Post{}
	err := p.db.WithContext(ctx).Scopes(gormfilter.Scope(plan, postColumns)).
		Order("id").Limit(limit).Offset(offset).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("posts: %w", err)
	}
	return out, nil
}

// Add stores a post by author.
func (p *Posts) Add(ctx context.Context, author string, n NewPost) (Post, error) {
	post := Post{Title: n.Title, Author: author, Status: Published, Created: time.Now().UTC()}
	if n.Draft {
		post.Status = Draft
	}
	if err := p.db.WithContext(ctx).Create(&post).Error; err != nil {
		return Post{}, fmt.Errorf("posts: %w", err)
	}
	return post, nil
}

// Delete removes a post by its id text and reports whether it existed.
func (p *Posts) Delete(ctx context.Context, id string) (bool, error) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return false, nil
	}
	res := p.db.WithContext(ctx).Delete(&Post{}, n)
	if res.Error != nil {
		return false, fmt.Errorf("posts: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// NewPost is the body of POST /posts.
type NewPost struct {
	Title string `json:"title"`
	Draft bool   `json:"draft"`
}

// ErrBadPost is returned by DecodeNew for a body that is not a post.
var ErrBadPost = errors.New(`body must be JSON {"title": "...", "draft": false} with a title of 1 to 200 characters`)

// DecodeNew reads a new post from a JSON body of at most 4 KiB.
func DecodeNew(body io.Reader) (NewPost, error) {
	var in NewPost
	if err := json.NewDecoder(io.LimitReader(body, 4<<10)).Decode(&in); err != nil {
		return NewPost{}, ErrBadPost
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || len(in.Title) > 200 {
		return NewPost{}, ErrBadPost
	}
	return in, nil
}

// Me is the body of GET /me.
type Me struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Email       string   `json:"email,omitempty"`
	Groups      []string `json:"groups"`
	Permissions []string `json:"permissions"`
}
