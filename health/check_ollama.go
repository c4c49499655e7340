package health

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// OllamaCheck returns a check of an Ollama server's /api/tags: it passes
// when the server answers and, if b.Model is set, lists that model (a
// ":latest" tag on either side is ignored); otherwise it fails, naming the
// models that are there.
func OllamaCheck(b Backend) CheckFunc {
	client := orHealthClient(b.Client)
	url := b.root() + "/api/tags"
	scrub := b.scrub()
	return func(ctx context.Context) Result {
		code, body, err := fetch(ctx, client, http.MethodGet, url, b.header(), nil)
		if err != nil {
			return Failf("%s", scrub("down: "+err.Error()))
		}
		if code != http.StatusOK {
			return Failf("%s", scrub("down: GET "+url+": status "+http.StatusText(code)+snippet(body)))
		}
		var tags struct {
			Models []struct {
				Name  string `json:"name"`
				Model string `json:"model"`
			} `json:"models"`
		}
		if err := json.Unmarshal(body, &tags); err != nil {
			return Failf("GET %s: not an Ollama answer: %v", url, err)
		}
		if b.Model == "" {
			return Result{Status: StatusPass}
		}
		want := trimLatest(b.Model)
		names := make([]string, 0, len(tags.Models))
		for _, m := range tags.Models {
			if trimLatest(m.Name) == want || trimLatest(m.Model) == want {
				return Result{Status: StatusPass}
			}
			names = append(names, m.Name)
		}
		return modelMissing(b.Model, "ollama", names)
	}
}

// trimLatest drops a ":latest" tag.
func trimLatest(name string) string { return strings.TrimSuffix(name, ":latest") }

// modelMissing is the failure of a server that does not serve model.
func modelMissing(model, server string, available []string) Result {
	if len(available) == 0 {
		return Failf("model %q not found on %s: no models available", model, server)
	}
	const most = 20
	list := available
	more := ""
	if len(list) > most {
		list, more = list[:most], ", ..."
	}
	return Failf("model %q not found on %s; available: %s%s", model, server, strings.Join(list, ", "), more)
}
