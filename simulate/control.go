package simulate

import (
	"encoding/json"
	"net/http"
)

// maxControlBody bounds a POST /_sim/faults body.
const maxControlBody = 64 << 10

// serveControl answers the control API:
//
//	GET /_sim/faults       the faults in force
//	POST /_sim/faults      change the fields given (reset_all first restores the healthy state)
//	DELETE /_sim/faults    restore the healthy state
//	GET /_sim/stats        the counters
//	DELETE /_sim/stats     zero the counters
//
// Control requests are not counted and no fault applies to them.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_sim/faults":
		switch r.Method {
		case http.MethodGet, http.MethodHead:
		case http.MethodPost:
			body, err := readBody(nil, r, maxControlBody)
			if err != nil {
				writeControlError(w, invalidRequest(http.StatusBadRequest, "Could not read the request body: "+err.Error(), "", ""))
				return
			}
			p, err := decodeFaultsPatch(body)
			if err == nil {
				err = s.applyPatch(p)
			}
			if err != nil {
				writeControlError(w, invalidRequest(http.StatusBadRequest, err.Error(), "", "invalid_faults"))
				return
			}
		case http.MethodDelete:
			s.ResetFaults()
		default:
			writeMethodNotAllowed(w, r, "GET, POST, DELETE")
			return
		}
		writeControlJSON(w, s.Faults())
	case "/_sim/stats":
		switch r.Method {
		case http.MethodGet, http.MethodHead:
		case http.MethodDelete:
			s.ResetStats()
		default:
			writeMethodNotAllowed(w, r, "GET, DELETE")
			return
		}
		writeControlJSON(w, s.Stats())
	default:
		writeControlError(w, invalidRequest(http.StatusNotFound, "Unknown request URL: "+r.Method+" "+r.URL.Path+
			". The control API is /_sim/faults and /_sim/stats.", "", "unknown_url"))
	}
}

func writeControlJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeControlError(w, apiError{status: http.StatusInternalServerError, message: err.Error(), typ: "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, append(b, '\n'))
}

func writeControlError(w http.ResponseWriter, e apiError) {
	writeJSON(w, e.status, appendAPIError(nil, e))
}

func writeMethodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header()["Allow"] = []string{allow}
	writeControlError(w, invalidRequest(http.StatusMethodNotAllowed,
		"Method "+r.Method+" is not allowed on "+r.URL.Path+"; use "+allow+".", "", "method_not_allowed"))
}
