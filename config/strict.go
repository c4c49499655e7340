package config

import (
	"math"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Defaulter is implemented by list items (a backend, a route, ...) that have
// defaults: the decoder calls SetDefaults on each new item before it decodes
// the item's keys onto it, so absent keys keep their default.
type Defaulter interface {
	// SetDefaults sets every field to its default.
	SetDefaults()
}

// decoder decodes a yaml.Node tree onto Go values strictly, by reflection
// over the yaml struct tags: unknown keys, duplicate keys and values of the
// wrong kind are reported with their line and key path. What is absent keeps
// the value it had, so decoding onto defaults fills them in.
type decoder struct {
	r *report
	// work counts nodes and merged entries visited; aliases can make a
	// small file expand without end ("billion laughs"), so it is bounded.
	work int
}

// maxWork bounds the nodes and merged entries one file may expand to.
const maxWork = 1_000_000

// spend counts one unit of work and reports whether the budget allows it;
// past the budget it reports the problem once.
func (d *decoder) spend(at pos, path string) bool {
	d.work++
	if d.work == maxWork+1 {
		d.r.fail(at, path, "the file expands to more than %d values through aliases; stopped here", maxWork)
	}
	return d.work <= maxWork
}

var (
	durationType    = reflect.TypeFor[time.Duration]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	defaulterType   = reflect.TypeFor[Defaulter]()
)

// decode decodes n onto v, which must be settable. at is where errors about
// the value are reported (its key, or its list item). It reports whether the
// value had the right kind; problems further down are reported by the nested
// calls. Types implementing yaml.Unmarshaler decode themselves.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, at pos) bool {
	n = resolve(n)
	if !d.spend(at, path) {
		return false
	}
	if isNull(n) {
		return true
	}
	if reflect.PointerTo(v.Type()).Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.r.fail(at, path, "%s", err.Error())
			return false
		}
		return true
	}
	if v.Type() == durationType {
		dur, err := decodeDuration(n)
		if err != nil {
			d.r.fail(at, path, "%s", err.Error())
			return false
		}
		v.SetInt(int64(dur))
		return true
	}
	switch v.Kind() {
	case reflect.Struct:
		return d.decodeStruct(n, v, path, at)
	case reflect.Slice:
		return d.decodeSlice(n, v, path, at)
	case reflect.Map:
		return d.decodeMap(n, v, path, at)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if !v.IsNil() {
			p.Elem().Set(v.Elem())
		} else {
			setDefaults(p.Elem())
		}
		if !d.decode(n, p.Elem(), path, at) {
			return false
		}
		v.Set(p)
		return true
	}
	if n.Kind != yaml.ScalarNode {
		d.r.fail(at, path, "%s", typeError(want(v.Type()), n).Error())
		return false
	}
	if err := decodeScalar(n, v); err != nil {
		d.r.fail(at, path, "%s", err.Error())
		return false
	}
	return true
}

// decodeStruct decodes a mapping onto a struct, key by yaml tag; keys it
// does not set keep their value.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string, at pos) bool {
	if n.Kind != yaml.MappingNode {
		d.r.fail(at, path, "%s", typeError("a mapping", n).Error())
		return false
	}
	fields := structFields(v.Type())
	for _, p := range d.pairs(n, path, 0) {
		key := p.key.Value
		f, ok := fields.byKey[key]
		if !ok {
			if path == "" && strings.HasPrefix(key, "x-") {
				continue
			}
			d.r.add(posOf(p.key), join(path, key), "%s", unknownKey(key, fields.keys))
			continue
		}
		fp := join(path, key)
		if isNull(p.value) {
			d.r.nulls[fp] = posOf(p.key) // absent, but errors about it go here
			continue
		}
		if d.decode(p.value, v.FieldByIndex(f), fp, posOf(p.key)) {
			d.r.lines[fp] = posOf(p.key)
		}
	}
	return true
}

// decodeSlice decodes a sequence onto a slice, each item starting from its
// defaults.
func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string, at pos) bool {
	if n.Kind != yaml.SequenceNode {
		d.r.fail(at, path, "%s", typeError("a sequence", n).Error())
		return false
	}
	if len(n.Content) == 0 {
		v.Set(reflect.Zero(v.Type())) // an empty list is a nil slice
		return true
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		ip := index(path, i)
		d.r.lines[ip] = posOf(item)
		setDefaults(s.Index(i))
		d.decode(item, s.Index(i), ip, posOf(item))
	}
	v.Set(s)
	return true
}

// decodeMap decodes a mapping onto a map with string keys, each value
// starting from its defaults.
func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string, at pos) bool {
	if n.Kind != yaml.MappingNode {
		d.r.fail(at, path, "%s", typeError("a mapping", n).Error())
		return false
	}
	if v.Type().Key().Kind() != reflect.String {
		d.r.fail(at, path, "unsupported map key type %s", v.Type().Key())
		return false
	}
	m := reflect.MakeMap(v.Type())
	for _, p := range d.pairs(n, path, 0) {
		kp := join(path, p.key.Value)
		d.r.lines[kp] = posOf(p.key)
		e := reflect.New(v.Type().Elem()).Elem()
		setDefaults(e)
		if d.decode(p.value, e, kp, posOf(p.key)) {
			m.SetMapIndex(reflect.ValueOf(p.key.Value).Convert(v.Type().Key()), e)
		}
	}
	v.Set(m)
	return true
}

// setDefaults calls SetDefaults on v when its type has it.
func setDefaults(v reflect.Value) {
	if v.CanAddr() && reflect.PointerTo(v.Type()).Implements(defaulterType) {
		v.Addr().Interface().(Defaulter).SetDefaults()
	}
}

// decodeScalar decodes a scalar node onto a string, bool, integer or float.
func decodeScalar(n *yaml.Node, v reflect.Value) error {
	tag := n.ShortTag()
	switch v.Kind() {
	case reflect.String:
		switch tag {
		case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
			v.SetString(n.Value)
			return nil
		}
	case reflect.Bool:
		if tag == "!!bool" {
			var b bool
			if err := n.Decode(&b); err != nil {
				return typeError(want(v.Type()), n)
			}
			v.SetBool(b)
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if tag == "!!int" {
			var i int64
			if err := n.Decode(&i); err != nil || v.OverflowInt(i) {
				return typeError("an integer in range", n)
			}
			v.SetInt(i)
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if tag == "!!int" {
			var u uint64
			if err := n.Decode(&u); err != nil || v.OverflowUint(u) {
				return typeError("a non-negative integer in range", n)
			}
			v.SetUint(u)
			return nil
		}
	case reflect.Float32, reflect.Float64:
		if tag == "!!int" || tag == "!!float" {
			var f float64
			if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) || v.OverflowFloat(f) {
				return typeError("a finite number", n)
			}
			v.SetFloat(f)
			return nil
		}
	}
	return typeError(want(v.Type()), n)
}

// want names what a value of type t looks like in YAML.
func want(t reflect.Type) string {
	if t == durationType {
		return `a duration like "30s"`
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	case reflect.Slice:
		return "a sequence"
	case reflect.Pointer:
		return want(t.Elem())
	}
	return "a " + t.String()
}

// fieldSet is the yaml keys of a struct type, in field order, with the index
// of the field each one sets.
type fieldSet struct {
	keys  []string
	byKey map[string][]int
}

// structFields lists the fields of t that have a yaml tag; fields tagged
// ",inline" contribute their own fields.
func structFields(t reflect.Type) fieldSet {
	fs := fieldSet{byKey: map[string][]int{}}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag, ok := f.Tag.Lookup("yaml")
			if !ok {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), prefix...), i)
			if strings.Contains(opts, "inline") && f.Type.Kind() == reflect.Struct && (f.IsExported() || f.Anonymous) {
				walk(f.Type, idx)
				continue
			}
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			if _, dup := fs.byKey[name]; !dup {
				fs.keys = append(fs.keys, name)
			}
			fs.byKey[name] = idx
		}
	}
	walk(t, nil)
	return fs
}
