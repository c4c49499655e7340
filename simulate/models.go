package simulate

import (
	"net/http"
	"strconv"
	"strings"
)

// ownedBy is the owned_by of every simulated model.
const ownedBy = "flywheel-simulator"

// appendModel appends one model object.
func (s *Server) appendModel(b, quoted []byte) []byte {
	b = append(b, `{"id":`...)
	b = append(b, quoted...)
	b = append(b, `,"object":"model","created":`...)
	b = strconv.AppendInt(b, s.created, 10)
	return append(b, `,"owned_by":"`+ownedBy+`"}`...)
}

// appendModelList renders GET /v1/models once, at New.
func (s *Server) appendModelList(b []byte) []byte {
	b = append(b, `{"object":"list","data":[`...)
	for i, name := range s.names {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.appendModel(b, s.models[name])
	}
	return append(b, "]}\n"...)
}

// serveModels answers GET /v1/models and GET /v1/models/{model}.
func (s *Server) serveModels(w http.ResponseWriter, r *http.Request, sc *scratch) {
	name, one := strings.CutPrefix(r.URL.Path, "/v1/models/")
	if !one {
		writeJSON(w, http.StatusOK, append(sc.out[:0], s.modelsBody...))
		s.stats.add(&s.stats.completed, 1)
		return
	}
	var e apiError
	var ok bool
	if sc.model, e, ok = s.model(sc.model[:0], name); !ok {
		s.reject(w, sc, e)
		return
	}
	sc.out = append(s.appendModel(sc.out[:0], sc.model), '\n')
	writeJSON(w, http.StatusOK, sc.out)
	s.stats.add(&s.stats.completed, 1)
}
