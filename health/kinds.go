package health

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// A KindBuilder builds the check of a Spec of one kind: the function and
// its IETF componentType ("datastore", "component"). It reports a Spec it
// cannot build with an error wrapping ErrInvalidCheck.
type KindBuilder func(s Spec) (fn CheckFunc, componentType string, err error)

// kindRegistry is the one list of the kinds a Spec may name. This package
// registers http, tcp, qdrant and the backend kinds; the packages that pull
// in a driver register theirs when imported, as database/sql drivers do.
var kindRegistry = struct {
	sync.RWMutex
	m map[string]KindBuilder
}{m: map[string]KindBuilder{}}

// kindPackages names, for the error of an unregistered kind, the package
// that registers it.
var kindPackages = map[string]string{
	"postgres":   "github.com/flywheel-stack/flywheel/health/postgrescheck",
	"postgresql": "github.com/flywheel-stack/flywheel/health/postgrescheck",
	"redis":      "github.com/flywheel-stack/flywheel/health/redischeck",
}

// RegisterKind makes kind usable as Spec.Kind. Package health registers
// http, tcp, qdrant and the backend kinds (BackendKinds); importing
// health/postgrescheck registers postgres and importing health/redischeck
// registers redis. It panics when kind is empty, b is nil or kind is
// already registered.
func RegisterKind(kind string, b KindBuilder) {
	if kind == "" || b == nil {
		panic("health: RegisterKind needs a kind and a builder")
	}
	kindRegistry.Lock()
	defer kindRegistry.Unlock()
	if _, dup := kindRegistry.m[kind]; dup {
		panic("health: RegisterKind called twice for kind " + kind)
	}
	kindRegistry.m[kind] = b
}

// Kinds returns the kinds a Spec may name, sorted: the built-in ones and
// those registered by the imported check packages.
func Kinds() []string {
	kindRegistry.RLock()
	defer kindRegistry.RUnlock()
	out := make([]string, 0, len(kindRegistry.m))
	for k := range kindRegistry.m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// buildKind runs the builder registered for s.Kind.
func buildKind(s Spec) (CheckFunc, string, error) {
	kindRegistry.RLock()
	b, ok := kindRegistry.m[s.Kind]
	kindRegistry.RUnlock()
	if ok {
		return b(s)
	}
	if pkg, known := kindPackages[s.Kind]; known {
		return nil, "", fmt.Errorf("%w: kind %q is not registered: import %s", ErrInvalidCheck, s.Kind, pkg)
	}
	return nil, "", fmt.Errorf("%w: kind %q unknown (want %s)", ErrInvalidCheck, s.Kind, strings.Join(Kinds(), ", "))
}

func init() {
	RegisterKind("http", func(s Spec) (CheckFunc, string, error) {
		if s.URL == "" {
			return nil, "", fmt.Errorf("%w: http needs a url", ErrInvalidCheck)
		}
		return HTTPCheck(s.URL, HTTPOptions{Client: s.Client, StatusMin: s.StatusMin, StatusMax: s.StatusMax,
			Accept: s.AcceptStatus, Expected: s.ExpectedStatus}), "component", nil
	})
	RegisterKind("tcp", func(s Spec) (CheckFunc, string, error) {
		if s.Addr == "" {
			return nil, "", fmt.Errorf("%w: tcp needs an addr", ErrInvalidCheck)
		}
		return TCPCheck(s.Addr), "component", nil
	})
	RegisterKind(KindQdrant, func(s Spec) (CheckFunc, string, error) {
		if s.URL == "" {
			return nil, "", fmt.Errorf("%w: qdrant needs a url", ErrInvalidCheck)
		}
		return QdrantCheck(s.URL, QdrantOptions{Collection: s.Collection, APIKey: s.APIKey, Client: s.Client}), "datastore", nil
	})
	for _, kind := range BackendKinds() {
		RegisterKind(kind, func(s Spec) (CheckFunc, string, error) {
			if s.URL == "" {
				return nil, "", fmt.Errorf("%w: backend %s needs a url", ErrInvalidCheck, s.Kind)
			}
			fn, err := BackendCheck(s.backend())
			return fn, "component", err
		})
	}
}
