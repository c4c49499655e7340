package store

import (
	"reflect"
	"testing"
	"time"
)

func TestNumberedPlaceholders(t *testing.T) {
	got := Numbered("SELECT x FROM t WHERE a = ? AND (b = ? OR c = ?)")
	if want := "SELECT x FROM t WHERE a = $1 AND (b = $2 OR c = $3)"; got != want {
		t.Fatalf("Numbered = %q, want %q", got, want)
	}
}

func TestFeedbackWhereKeepsArgumentOrder(t *testing.T) {
	since := time.Unix(100, 0)
	d := Dialect{StartColumn: "start_us", CreatedColumn: "created_us", Time: func(t time.Time) any { return t.Unix() }}
	w := d.FeedbackWhere(FeedbackQuery{Metric: "m", InferenceID: "i", Since: since, Cursor: "c"})
	if want := []any{"m", "i", "i", int64(100), "c"}; !reflect.DeepEqual(w.Args, want) {
		t.Fatalf("args = %v, want %v", w.Args, want)
	}
	if len(w.Conds) != 4 || w.Conds[2] != "created_us >= ?" {
		t.Fatalf("conds = %q", w.Conds)
	}
	if (&Where{}).Clause() != "" {
		t.Fatal("empty Where has a clause")
	}
}

func TestCutPage(t *testing.T) {
	id := func(s string) string { return s }
	if page, next := CutPage([]string{"c", "b"}, 2, id); len(page) != 2 || next != "" {
		t.Fatalf("last page = %v, %q", page, next)
	}
	if page, next := CutPage([]string{"c", "b", "a"}, 2, id); len(page) != 2 || next != "b" {
		t.Fatalf("full page = %v, %q", page, next)
	}
}
