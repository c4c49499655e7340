package health

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// withheld stands in for the reason of a check in a view without details.
const withheld = "details withheld"

// withheldNote is the /healthz note of a view without details.
const withheldNote = "check outputs withheld: send the admin token as 'Authorization: Bearer TOKEN' to see them"

// showDetails reports whether r may see the checks' outputs.
func (c *Checker) showDetails(r *http.Request) bool {
	return c.opts.ShowDetails == nil || c.opts.ShowDetails(r)
}

// BearerToken returns an Options.ShowDetails function that admits a request
// carrying token as "Authorization: Bearer TOKEN" (the scheme in any case),
// compared in constant time. An empty token admits no request.
func BearerToken(token string) func(*http.Request) bool {
	token = strings.TrimSpace(token)
	if token == "" {
		return func(*http.Request) bool { return false }
	}
	want := sha256.Sum256([]byte(token))
	return func(r *http.Request) bool {
		h := r.Header.Get("Authorization")
		if len(h) <= 7 || !strings.EqualFold(h[:7], "bearer ") {
			return false
		}
		got := sha256.Sum256([]byte(strings.TrimSpace(h[7:])))
		return subtle.ConstantTimeCompare(got[:], want[:]) == 1
	}
}

// withoutDetails returns rep with every output and every text measurement
// dropped: names, statuses, numbers and units stay.
func (rep Report) withoutDetails() Report {
	checks := make(map[string][]ReportCheck, len(rep.Checks))
	for k, entries := range rep.Checks {
		out := make([]ReportCheck, len(entries))
		for i, e := range entries {
			e.Output = ""
			if _, text := e.ObservedValue.(string); text {
				e.ObservedValue = nil
			}
			out[i] = e
		}
		checks[k] = out
	}
	rep.Checks = checks
	rep.Notes = append(rep.Notes, withheldNote)
	return rep
}
