package config

import (
	"reflect"
	"testing"

	"github.com/flywheel-stack/flywheel/resilience"
)

// TestFieldKeysCoverTheSections checks that every key of the breaker and
// retry sections that sets a resilience field is mapped to a field that
// exists, so that the library's errors are reported at the right key.
func TestFieldKeysCoverTheSections(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		section reflect.Type
		target  reflect.Type
		keys    fieldKeys
		own     map[string]bool // keys the config checks itself
	}{
		{reflect.TypeFor[BreakerSpec](), reflect.TypeFor[resilience.BreakerConfig](), breakerKeys, nil},
		{reflect.TypeFor[RetrySpec](), reflect.TypeFor[resilience.RetryConfig](), retryKeys, map[string]bool{"preset": true}},
	} {
		fs := structFields(tc.section)
		for _, key := range fs.keys {
			field, ok := tc.keys[key]
			switch {
			case tc.own[key]:
				if ok {
					t.Errorf("%s.%s is checked by the config, yet mapped to %s", tc.section.Name(), key, field)
				}
			case !ok:
				t.Errorf("%s.%s is not mapped to a %s field", tc.section.Name(), key, tc.target.Name())
			default:
				if _, exists := tc.target.FieldByName(field); !exists {
					t.Errorf("%s.%s maps to %s.%s, which does not exist", tc.section.Name(), key, tc.target.Name(), field)
				}
			}
		}
		if len(tc.keys) != len(fs.keys)-len(tc.own) {
			t.Errorf("%s: %d keys mapped, want %d", tc.section.Name(), len(tc.keys), len(fs.keys)-len(tc.own))
		}
	}
}
