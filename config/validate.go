package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A section or list item takes part in validation by implementing these
// unexported methods; check finds them by walking the Config, so a new
// section needs no registration.
type (
	// normalizer fills defaults that depend on what the file set, before
	// any validation runs (for example, setting one breaker rule turns the
	// default ones off).
	normalizer interface {
		normalize(v *validator, path string)
	}
	// validatable checks its own fields; nested sections check theirs.
	validatable interface {
		validate(v *validator, path string)
	}
)

// validator reports problems found after decoding, each at the line of its
// key, or of the nearest enclosing key the file set.
type validator struct {
	r *report
}

// check normalizes then validates c, adding problems to r.
func check(c *Config, r *report) {
	v := &validator{r: r}
	root := reflect.ValueOf(c).Elem()
	visit(root, "", func(rv reflect.Value, path string) {
		if n, ok := rv.Addr().Interface().(normalizer); ok {
			n.normalize(v, path)
		}
	}, nil)
	visit(root, "", nil, func(rv reflect.Value, path string) {
		if n, ok := rv.Addr().Interface().(validatable); ok {
			n.validate(v, path)
		}
	})
}

// visit walks rv and everything under it that has a yaml key path, calling
// pre (if not nil) before a value's children and post (if not nil) after
// them: normalizing goes top down, validating bottom up so that the checks
// across sections come last. Every value it passes is addressable.
func visit(rv reflect.Value, path string, pre, post func(rv reflect.Value, path string)) {
	if pre != nil {
		pre(rv, path)
	}
	defer func() {
		if post != nil {
			post(rv, path)
		}
	}()
	switch rv.Kind() {
	case reflect.Struct:
		fs := structFields(rv.Type())
		for _, key := range fs.keys {
			visit(rv.FieldByIndex(fs.byKey[key]), join(path, key), pre, post)
		}
	case reflect.Slice:
		for i := range rv.Len() {
			visit(rv.Index(i), index(path, i), pre, post)
		}
	case reflect.Pointer:
		if !rv.IsNil() {
			visit(rv.Elem(), path, pre, post)
		}
	case reflect.Map:
		keys := rv.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			e := reflect.New(rv.Type().Elem()).Elem()
			e.Set(rv.MapIndex(k))
			visit(e, join(path, k.String()), pre, post)
			rv.SetMapIndex(k, e)
		}
	}
}

// errorf reports a problem with the value at path, unless that value (or
// one above it) already failed to decode.
func (v *validator) errorf(path, format string, args ...any) {
	if v.r.suppressed(path) {
		return
	}
	v.r.add(v.r.at(path), path, format, args...)
}

// has reports whether the file set the key at path.
func (v *validator) has(path string) bool { return v.r.has(path) }

// lineOf describes where path was set: "line 12", or the path itself when
// the line is unknown.
func (v *validator) lineOf(path string) string {
	if p, ok := v.r.lines[path]; ok {
		return "line " + strconv.Itoa(p.line)
	}
	return path
}

// oneOf checks that s is one of options; an empty s is reported as
// required.
func (v *validator) oneOf(path, s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	if s == "" {
		v.errorf(path, "required (one of %s)", orList(options))
	} else {
		v.errorf(path, "must be one of %s, got %q", orList(options), s)
	}
	return false
}

// orList formats options as "a, b or c".
func orList(options []string) string {
	if len(options) == 1 {
		return options[0]
	}
	return strings.Join(options[:len(options)-1], ", ") + " or " + options[len(options)-1]
}

var (
	envNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// nameRe is what names used in metric labels, URL paths and headers may
	// hold: backends, dependencies, feedback metrics.
	nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

// envName checks that s, when set, names an environment variable. The value
// is not echoed: people put the secret itself there by mistake.
func (v *validator) envName(path, s string) {
	if s != "" && !envNameRe.MatchString(s) {
		v.errorf(path, "must be the name of an environment variable (letters, digits and _, like MY_API_KEY), not the secret itself")
	}
}

// name checks a required name against nameRe.
func (v *validator) name(path, s string) {
	switch {
	case s == "":
		v.errorf(path, "required")
	case !nameRe.MatchString(s):
		v.errorf(path, "must start with a letter or digit and hold only letters, digits, '_', '.' and '-', got %q", s)
	}
}

// httpURL checks that s is an absolute http:// or https:// URL with a host.
func (v *validator) httpURL(path, s string) {
	if s == "" {
		v.errorf(path, "required")
		return
	}
	if !strings.Contains(s, "://") {
		v.errorf(path, "must be an http:// or https:// URL, got %q (add the scheme, like http://%s)", s, s)
		return
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a password
		}
		v.errorf(path, "must be an http:// or https:// URL: %v", err)
		return
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		v.errorf(path, "must be an http:// or https:// URL with a host, got %q", u.Redacted())
	}
}

// hostPort checks that s is host:port with a numeric port; allowZero admits
// port 0 (pick any free port).
func (v *validator) hostPort(path, s string, allowZero bool) {
	if s == "" {
		v.errorf(path, "required")
		return
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		v.errorf(path, "must be host:port, like 127.0.0.1:8700, got %q", s)
		return
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 || (p == 0 && !allowZero) {
		v.errorf(path, "port must be a number in [1,65535], got %q", port)
	}
}

// positive checks that a duration is > 0.
func (v *validator) positive(path string, d time.Duration) {
	if d <= 0 {
		v.errorf(path, "must be > 0, got %s", d)
	}
}

// optionalPositive checks a duration whose 0 means "off": it must not be
// negative, nor 0 where the file set it. It reports whether d passed.
func (v *validator) optionalPositive(path string, d time.Duration) bool {
	if d < 0 || (v.has(path) && d == 0) {
		v.errorf(path, "must be > 0, got %s", d)
		return false
	}
	return true
}

// timeoutWithin checks that a timeout is <= its interval. A default has
// adapted to the other key (normalize), so both were set: the error names
// the timeout.
func (v *validator) timeoutWithin(timeoutPath string, timeout, interval time.Duration) {
	if interval > 0 && timeout > interval {
		v.errorf(timeoutPath, "must be <= interval (%s), got %s", interval, timeout)
	}
}

// nonNegative checks that a duration is >= 0.
func (v *validator) nonNegative(path string, d time.Duration) {
	if d < 0 {
		v.errorf(path, "must be >= 0, got %s", d)
	}
}

// percent checks that p is in (0,100].
func (v *validator) percent(path string, p float64) {
	if !(p > 0 && p <= 100) {
		v.errorf(path, "must be in (0,100], got %g", p)
	}
}

// unique reports items whose name repeats an earlier one.
func (v *validator) unique(list string, names []string) {
	first := map[string]int{}
	for i, n := range names {
		if n == "" {
			continue
		}
		if j, dup := first[n]; dup {
			v.errorf(join(index(list, i), "name"), "duplicate name %q (first at %s)", n, v.lineOf(join(index(list, j), "name")))
			continue
		}
		first[n] = i
	}
}

// quoted formats names as "a", "b" and "c" for messages.
func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 0 {
		return "none"
	}
	return strings.Join(q, ", ")
}
