package simulate

import (
	"encoding/json"
	"errors"
	"net/http"
)

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
