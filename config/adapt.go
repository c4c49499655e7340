package config

import "cmp"

// A key the file did not set holds its default. Where that default would
// conflict with a key the file set, the default gives way: idle defaults to
// min(60s, total), total to max(300s, first_token). So only two values the
// file set can conflict, and the error names the one written last. In code
// (Config.Validate) every value counts as set: nothing adapts.

// defaulted reports whether the value at path is a default that may adapt:
// the file being parsed did not set it.
func (v *validator) defaulted(path string) bool {
	return v.r.parsed && !v.r.has(path)
}

// lowerDefault lowers the value at path to bound when it is a default above
// a positive bound.
func lowerDefault[T cmp.Ordered](v *validator, path string, x *T, bound T) {
	var zero T
	if bound > zero && *x > bound && v.defaulted(path) {
		*x = bound
	}
}

// raiseDefault raises the value at path to bound when it is a default below
// it.
func raiseDefault[T cmp.Ordered](v *validator, path string, x *T, bound T) {
	if *x < bound && v.defaulted(path) {
		*x = bound
	}
}
