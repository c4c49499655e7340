package simulate

import (
	"encoding/json"
	"errors"
	"net/http"
)

// decode decodes the request body sc.in into req and resolves the model it
// names (*model, a field of req) into sc.model. On failure it answers the
// client's error and returns false.
func (s *Server) decode(w http.ResponseWriter, sc *scratch, req any, model *string) bool {
	e, ok := decodeRequest(sc.in, req)
	if ok {
		sc.model, e, ok = s.model(sc.model[:0], *model)
	}
	if !ok {
		s.reject(w, sc, e)
	}
	return ok
}

// decodeRequest decodes body into v, translating failures into OpenAI's
// 400s: malformed JSON, or a field of the wrong type.
func decodeRequest(body []byte, v any) (apiError, bool) {
	err := json.Unmarshal(body, v)
	if err == nil {
		return apiError{}, true
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return invalidRequest(http.StatusBadRequest,
			"Invalid type for '"+te.Field+"': got JSON "+te.Value+".", te.Field, "invalid_type"), false
	}
	return invalidRequest(http.StatusBadRequest,
		"We could not parse the JSON body of your request ("+err.Error()+"). The API expects a JSON payload.", "", ""), false
}
