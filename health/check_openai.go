package health

import (
	"context"
	"encoding/json"
	"net/http"
)

// OpenAIModelsCheck returns a check of a vLLM or OpenAI-compatible server's
// /v1/models (with b.APIKey as a bearer token when set): it passes when the
// server answers and, if b.Model is set, lists that model id; otherwise it
// fails, naming the models that are there.
func OpenAIModelsCheck(b Backend) CheckFunc {
	client := orHealthClient(b.Client)
	url := b.root() + "/v1/models"
	scrub := b.scrub()
	server := b.Kind
	if server == "" {
		server = "server"
	}
	return func(ctx context.Context) Result {
		code, body, err := fetch(ctx, client, http.MethodGet, url, b.header(), nil)
		if err != nil {
			return Failf("%s", scrub("down: "+err.Error()))
		}
		switch {
		case code == http.StatusUnauthorized || code == http.StatusForbidden:
			return Failf("%s", scrub("GET "+url+": "+http.StatusText(code)+" (check the API key)"+snippet(body)))
		case code != http.StatusOK:
			return Failf("%s", scrub("down: GET "+url+": status "+http.StatusText(code)+snippet(body)))
		}
		var list struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &list); err != nil {
			return Failf("GET %s: not an OpenAI models list: %v", url, err)
		}
		if b.Model == "" {
			return Result{Status: StatusPass}
		}
		ids := make([]string, 0, len(list.Data))
		for _, m := range list.Data {
			if m.ID == b.Model {
				return Result{Status: StatusPass}
			}
			ids = append(ids, m.ID)
		}
		return modelMissing(b.Model, server, ids)
	}
}
