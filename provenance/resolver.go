package provenance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// ErrNotFound says a tag or digest is not in the registry.
var ErrNotFound = errors.New("not found in the registry")

// RegistryRetry is the retry policy for registry calls: 4 attempts, 1 s
// base delay, 60 s cap, retrying 429, every 5xx but 501, and connection
// errors; a Retry-After header is honoured up to the cap.
func RegistryRetry() resilience.RetryConfig {
	return resilience.RetryConfig{Name: "registry", MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: time.Minute,
		Multiplier: 2, RetryIf: retryableRegistryError}
}

func retryableRegistryError(err error) bool {
	var se *resilience.StatusError
	if errors.As(err, &se) {
		return resilience.IsFailureStatus(se.Code)
	}
	return resilience.IsTransient(err)
}

// ResolverConfig configures a Resolver. The zero value is ready for real
// registries.
type ResolverConfig struct {
	// Keychain finds credentials; nil means authn.DefaultKeychain (the
	// Docker config file and its credential helpers).
	Keychain authn.Keychain
	// Base sends the HTTP requests; nil means go-containerregistry's
	// remote.DefaultTransport.
	Base http.RoundTripper
	// Retry is the retry policy of every registry request; the zero value
	// means RegistryRetry().
	Retry resilience.RetryConfig
	// Concurrency bounds the registry lookups in flight. Default 4.
	Concurrency int
	// Insecure lists registries (host:port) reached over plain HTTP.
	// Loopback and private addresses already are, as with docker.
	Insecure []string
}

// Resolver asks registries for digests. It is safe for concurrent use.
type Resolver struct {
	keychain    authn.Keychain
	transport   http.RoundTripper
	retrier     *resilience.Retrier
	concurrency int
	insecure    map[string]bool
}

// NewResolver returns a resolver over cfg.
func NewResolver(cfg ResolverConfig) *Resolver {
	if cfg.Keychain == nil {
		cfg.Keychain = authn.DefaultKeychain
	}
	if cfg.Base == nil {
		cfg.Base = remote.DefaultTransport
	}
	if cfg.Retry.Name == "" && cfg.Retry.MaxAttempts == 0 {
		clk := cfg.Retry.Clock
		cfg.Retry = RegistryRetry()
		cfg.Retry.Clock = clk
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	retrier := resilience.NewRetrier(cfg.Retry)
	r := &Resolver{keychain: cfg.Keychain, retrier: retrier, concurrency: cfg.Concurrency, insecure: map[string]bool{},
		transport: resilience.NewTransport(resilience.TransportConfig{Base: cfg.Base, Retry: retrier})}
	for _, h := range cfg.Insecure {
		r.insecure[h] = true
	}
	return r
}

// Retrier returns the retrier of the resolver's registry calls, for its
// counters.
func (r *Resolver) Retrier() *resilience.Retrier { return r.retrier }

// Parse parses an image reference with the resolver's insecure registries.
func (r *Resolver) Parse(s string) (Reference, error) {
	ref, err := ParseReference(s)
	if err == nil && r.insecure[ref.Registry] {
		ref, err = ParseReference(s, name.Insecure)
	}
	return ref, err
}

func (r *Resolver) options(ctx context.Context) []remote.Option {
	// Retries are the resilience transport's job: go-containerregistry's
	// own retry layer is told to make a single attempt.
	return []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(r.keychain),
		remote.WithTransport(r.transport), remote.WithRetryStatusCodes(),
		remote.WithRetryPredicate(func(error) bool { return false })}
}

// Digest returns the digest a reference's tag points at now: for a
// multi-arch image, the digest of its index.
func (r *Resolver) Digest(ctx context.Context, ref Reference) (string, error) {
	desc, err := remote.Head(ref.TagRef(), r.options(ctx)...)
	if err == nil {
		return desc.Digest.String(), nil
	}
	if !worthGet(err) {
		return "", registryError(ref.TagRef().Name(), err)
	}
	// A HEAD without a digest header, or a refusal without a body: a GET
	// computes the digest from the manifest, or says why it is refused.
	full, gerr := remote.Get(ref.TagRef(), r.options(ctx)...)
	if gerr != nil {
		return "", registryError(ref.TagRef().Name(), gerr)
	}
	return full.Digest.String(), nil
}

// worthGet reports whether a failed HEAD is worth a GET: not for a 404 (the
// GET would say the same) nor for the statuses the retrier already waited
// out (429, 5xx) or a cancelled context.
func worthGet(err error) bool {
	if ctxErr := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded); ctxErr {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return te.StatusCode != http.StatusNotFound && !resilience.IsFailureStatus(te.StatusCode)
	}
	return true
}

// Exists reports whether ref's digest is still in the registry (nil), gone
// (an error matching ErrNotFound) or unknown (another error).
func (r *Resolver) Exists(ctx context.Context, ref Reference) error {
	if ref.Digest == "" {
		return fmt.Errorf("%s: no digest", ref.Original)
	}
	_, err := remote.Head(ref.DigestRef(), r.options(ctx)...)
	if err != nil {
		return registryError(ref.DigestRef().Name(), err)
	}
	return nil
}

func registryError(what string, err error) error {
	var te *transport.Error
	if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// outcome is the result of one registry call.
type outcome struct {
	digest string
	err    error
}

// each runs fn once per distinct key, at most r.concurrency at a time, and
// returns the outcomes by key.
func (r *Resolver) each(ctx context.Context, keys []string, fn func(ctx context.Context, key string) (string, error)) map[string]outcome {
	distinct := make(map[string]bool, len(keys))
	for _, k := range keys {
		distinct[k] = true
	}
	out := make(map[string]outcome, len(distinct))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, r.concurrency)
	for k := range distinct {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var o outcome
			select {
			case sem <- struct{}{}:
				o.digest, o.err = fn(ctx, k)
				<-sem
			case <-ctx.Done():
				o.err = ctx.Err()
			}
			mu.Lock()
			out[k] = o
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}
