package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// probeClientTimeout bounds Probe when ctx has no deadline.
const probeClientTimeout = 10 * time.Second

// ErrUnknownProbe is returned by Probe for a probe name other than live,
// ready or startup; nothing is written then.
var ErrUnknownProbe = errors.New("health: unknown probe")

// Probe is the client side of an exec probe: it GETs
// <baseURL>/<probe>z?verbose, copies the listing to w and returns exit code 0
// when the probe passes or warns, and 1 when it fails or the server cannot
// be reached. probe is "live", "ready" or "startup" (a trailing "z" is
// accepted); baseURL may omit the "http://". The error is non-nil only when
// no answer came back (a line saying so is written to w too) or probe is
// unknown (ErrUnknownProbe, nothing written).
func Probe(ctx context.Context, baseURL, probe string, w io.Writer) (exitCode int, err error) {
	return ProbeWithToken(ctx, baseURL, probe, "", w)
}

// ProbeWithToken is Probe sending token, when not empty, as
// "Authorization: Bearer TOKEN", so that a server whose ShowDetails wants
// it lists the reasons.
func ProbeWithToken(ctx context.Context, baseURL, probe, token string, w io.Writer) (exitCode int, err error) {
	name := strings.TrimSuffix(strings.ToLower(probe), "z") + "z"
	switch name {
	case "livez", "readyz", "startupz":
	default:
		return 1, fmt.Errorf("%w %q (want live, ready or startup)", ErrUnknownProbe, probe)
	}
	if !strings.Contains(baseURL, "://") {
		baseURL = "http://" + baseURL
	}
	u := strings.TrimRight(baseURL, "/") + "/" + name + "?verbose"
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, probeClientTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 1, fmt.Errorf("health: %s: %s", name, Redact(err.Error()))
	}
	if token = strings.TrimSpace(token); token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		msg := Redact(err.Error())
		fmt.Fprintf(w, "%s unreachable: %s\n", name, msg)
		return 1, fmt.Errorf("health: %s unreachable: %s", name, msg)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		fmt.Fprintf(w, "%s: reading the answer: %s\n", name, Redact(err.Error()))
		return 1, fmt.Errorf("health: %s: reading the answer: %s", name, Redact(err.Error()))
	}
	text := strings.TrimRight(string(body), "\n")
	if text == "" {
		text = fmt.Sprintf("%s: HTTP %d", name, resp.StatusCode)
	}
	fmt.Fprintln(w, text)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return 0, nil
	}
	return 1, nil
}
