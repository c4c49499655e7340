package gateway

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestScanRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body   string
		want   requestFields
		err    error
		ignore bool // only the error matters
	}{
		{body: `{"model":"coder","messages":[{"role":"user","content":"hi \"there\""}],"stream":true,"user":"u1"}`,
			want: requestFields{model: "coder", stream: true, user: "u1"}},
		{body: ` { "stream" : false , "model" : "a\u00e9b" } `, want: requestFields{model: "aéb"}},
		{body: `{"model":"m","stream_options":{"include_usage":true}}`, want: requestFields{model: "m", includeUsage: true, hasStreamOptions: true}},
		{body: `{"model":"m","stream_options":{"x":{"include_usage":true},"include_usage":false}}`, want: requestFields{model: "m", hasStreamOptions: true}},
		{body: `{"model":"m","stream":null,"user":null,"stream_options":null}`, want: requestFields{model: "m"}},
		{body: `{}`, want: requestFields{}},
		{body: `[1,2]`, err: errNotObject, ignore: true},
		{body: `"x"`, err: errNotObject, ignore: true},
		{body: `{"model":"m",}`, err: errBadJSON, ignore: true},
		{body: `{"model":"m"} x`, err: errBadJSON, ignore: true},
		{body: `{"model":"m`, err: errBadJSON, ignore: true},
		{body: `{"model":5}`, err: errModelType, ignore: true},
		{body: `{"model":"m","stream":"yes"}`, err: errStreamType, ignore: true},
		{body: `{"model":"m","user":7}`, err: errUserType, ignore: true},
		{body: `{"model":"m","stream_options":true}`, err: errStreamOptObj, ignore: true},
		{body: `{"a":01}`, err: errBadJSON, ignore: true},
		{body: `{"a":"\x"}`, err: errBadJSON, ignore: true},
		{body: ``, err: errBadJSON, ignore: true},
	}
	for _, tc := range tests {
		got, err := scanRequest([]byte(tc.body))
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: err %v, want %v", tc.body, err, tc.err)
			continue
		}
		if tc.ignore {
			continue
		}
		got.modelStart, got.modelEnd, got.objectEnd = 0, 0, 0
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.body, got, tc.want)
		}
	}
}

func TestRewriteModel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body, model string
		addUsage    bool
		want        string
	}{
		{`{"model":"coder","temperature":0.2}`, "qwen2.5-coder-7b", false, `{"model":"qwen2.5-coder-7b","temperature":0.2}`},
		{`{"temperature":0.2, "model" : "coder" }`, "q\"x", false, `{"temperature":0.2, "model" : "q\"x" }`},
		{`{"model":"coder","stream":true}`, "q", true, `{"model":"q","stream":true,"stream_options":{"include_usage":true}}`},
		{`{"model":"coder","stream":true,"stream_options":{"include_usage":false}}`, "q", true,
			`{"model":"q","stream":true,"stream_options":{"include_usage":false}}`},
		{"{\"model\":\"c\"\n}", "q", true, "{\"model\":\"q\"\n,\"stream_options\":{\"include_usage\":true}}"},
	}
	for _, tc := range tests {
		f, err := scanRequest([]byte(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		got := string(rewriteModel([]byte(tc.body), f, tc.model, tc.addUsage))
		if got != tc.want {
			t.Errorf("rewrite(%s, %q) = %s, want %s", tc.body, tc.model, got, tc.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("rewrite produced invalid JSON: %s", got)
		}
	}
}

// FuzzScanRequest checks the scanner against encoding/json: same validity
// for objects, same model, and a rewrite that stays valid and changes only
// the model.
func FuzzScanRequest(f *testing.F) {
	for _, s := range []string{`{"model":"a","messages":[{"content":"x"}]}`, `{"model":"\u0041","n":-1.5e3,"x":[true,false,null]}`,
		`{"stream":true,"model":""}`, `{"a":{"b":[{}]}}`, `[]`, `{"model":"m"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := scanRequest(body)
		var obj map[string]json.RawMessage
		jerr := json.Unmarshal(body, &obj)
		if jerr != nil {
			if err == nil {
				t.Fatalf("scanner accepted what encoding/json rejects: %q (%v)", body, jerr)
			}
			return
		}
		raw, hasModel := obj["model"]
		var model string
		modelIsString := hasModel && json.Unmarshal(raw, &model) == nil
		if err != nil {
			if !errors.Is(err, errBadJSON) && !errors.Is(err, errNotObject) {
				return // a type error on a field we read
			}
			t.Fatalf("scanner rejected valid JSON %q: %v", body, err)
		}
		if !modelIsString || got.modelEnd == 0 {
			return
		}
		// Duplicate keys: encoding/json keeps the last, and so does the scanner.
		if got.model != model {
			t.Fatalf("model %q, encoding/json says %q in %q", got.model, model, body)
		}
		out := rewriteModel(body, got, "rewritten", true)
		var back map[string]json.RawMessage
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("rewrite of %q is invalid: %q", body, out)
		}
		if string(back["model"]) != `"rewritten"` || len(back) < len(obj) {
			t.Fatalf("rewrite of %q lost fields: %q", body, out)
		}
	})
}
