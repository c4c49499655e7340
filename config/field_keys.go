package config

import (
	"errors"

	"github.com/flywheel-stack/flywheel/resilience"
)

// fieldKeys maps a section's keys to the fields of the resilience config
// they set: resilience validates its own settings and names the field; the
// config reports the problem at the key, with the file's line.
type fieldKeys map[string]string

// key returns the key that sets field, or "" when none does.
func (k fieldKeys) key(field string) string {
	for key, f := range k {
		if f == field {
			return key
		}
	}
	return ""
}

// set returns the fields whose keys the file set under path: for them a
// zero is a mistake rather than a request for the default.
func (k fieldKeys) set(v *validator, path string) []string {
	var out []string
	for key, f := range k {
		if v.has(join(path, key)) {
			out = append(out, f)
		}
	}
	return out
}

// fieldErrors reports each *resilience.FieldError in err at the key under
// path that set its field, naming fields by their keys. A rule between two
// fields is reported at the field's key, or at the other's when only that
// one was set. Anything else is reported at path.
func (v *validator) fieldErrors(path string, keys fieldKeys, err error) {
	if err == nil {
		return
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	name := func(field string) string {
		if k := keys.key(field); k != "" {
			return k
		}
		return field
	}
	for _, e := range errs {
		var fe *resilience.FieldError
		if !errors.As(e, &fe) || keys.key(fe.Field) == "" {
			v.errorf(path, "%s", e.Error())
			continue
		}
		at, msg := keys.key(fe.Field), fe.Message(name)
		if other := keys.key(fe.Other); other != "" && !v.has(join(path, at)) && v.has(join(path, other)) {
			at, msg = other, at+" (its default) "+msg
		}
		v.errorf(join(path, at), "%s", msg)
	}
}
