package gateway

import (
	"encoding/json"
	"net/http"
	"sort"
)

// modelObject is one entry of GET /v1/models, in OpenAI's shape, with the
// route's fallback chain as an extension.
type modelObject struct {
	ID      string   `json:"id"`
	Object  string   `json:"object"`
	Created int64    `json:"created"`
	OwnedBy string   `json:"owned_by"`
	Targets []string `json:"targets,omitempty"`
}

func (g *Gateway) models() []modelObject {
	created := g.clk.Now().Unix()
	var out []modelObject
	for name, r := range g.routes {
		m := modelObject{ID: name, Object: "model", Created: created, OwnedBy: "flywheel"}
		for _, t := range r.targets {
			m.Targets = append(m.Targets, t.key)
		}
		out = append(out, m)
	}
	for key, r := range g.direct {
		if _, clash := g.routes[key]; clash {
			continue
		}
		out = append(out, modelObject{ID: key, Object: "model", Created: created, OwnedBy: r.targets[0].backend.Name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// handleModels serves GET /v1/models: every route, then every
// backend/model target.
func (g *Gateway) handleModels(w http.ResponseWriter, r *http.Request) {
	if !g.clientAuth(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Object string        `json:"object"`
		Data   []modelObject `json:"data"`
	}{"list", g.models()})
}

// handleModel serves GET /v1/models/{model}.
func (g *Gateway) handleModel(w http.ResponseWriter, r *http.Request) {
	if !g.clientAuth(w, r) {
		return
	}
	id := r.PathValue("model")
	for _, m := range g.models() {
		if m.ID == id {
			writeJSON(w, http.StatusOK, m)
			return
		}
	}
	writeError(w, apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Param: "model", Code: "model_not_found",
		Message: "The model '" + id + "' does not exist on this gateway."})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		writeError(w, apiError{Status: http.StatusInternalServerError, Type: "server_error", Message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
