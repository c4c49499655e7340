package gateway

import (
	"encoding/json"
	"errors"
	"strings"
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
		// JSON escapes Go's string syntax lacks: PHP writes \/ by default,
		// Python writes an emoji as a surrogate pair.
		{body: `{"model":"local\/local-m"}`, want: requestFields{model: "local/local-m"}},
		{body: `{"model":"m","user":"\ud83d\ude00"}`, want: requestFields{model: "m", user: "\U0001F600"}},
		{body: `{"model":"m","user":"a\ud83dz"}`, want: requestFields{model: "m", user: "a\uFFFDz"}},
		{body: `{"model":"m","user":"\b\f\n\r\t\"\\\u00e9"}`, want: requestFields{model: "m", user: "\b\f\n\r\t\"\\é"}},
		{body: "{\"model\":\"m\",\"user\":\"a\xffb\"}", want: requestFields{model: "m", user: "a\uFFFDb"}},
		// Keys are JSON strings too, and the last of a repeated key counts.
		{body: `{"mod\u0065l":"m","str\u0065am":true}`, want: requestFields{model: "m", stream: true}},
		{body: `{"model":5,"model":"m","stream":"x","stream":false}`, want: requestFields{model: "m"}},
		{body: `{"model":"m","stream_options":{"include\u005fusage":true}}`,
			want: requestFields{model: "m", includeUsage: true, hasStreamOptions: true}},
		{body: `{"model":"m","stream_options":{"include_usage":true,"include_usage":false}}`,
			want: requestFields{model: "m", hasStreamOptions: true}},
		{body: `{"model":"m","model":5}`, err: errModelType, ignore: true},
		{body: `{"a":"\u12"}`, err: errBadJSON, ignore: true},
		{body: `{"a":"\U0001F600"}`, err: errBadJSON, ignore: true},
		{body: `{"a":"\'"}`, err: errBadJSON, ignore: true},
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

// TestScanRequestDepth checks the nesting bound: 512 levels of objects and
// arrays (the body itself included) are accepted, 513 are refused with
// their own error rather than "not valid JSON".
func TestScanRequestDepth(t *testing.T) {
	t.Parallel()
	nest := func(levels int, open, close string) string {
		return strings.Repeat(open, levels) + "1" + strings.Repeat(close, levels)
	}
	tests := []struct {
		name string
		body string
		err  error
	}{
		{"object, 512 levels", `{"model":"m","a":` + nest(511, `{"a":`, `}`) + `}`, nil},
		{"object, 513 levels", `{"model":"m","a":` + nest(512, `{"a":`, `}`) + `}`, errTooDeep},
		{"arrays, 512 levels", `{"model":"m","a":` + nest(511, `[`, `]`) + `}`, nil},
		{"arrays, 513 levels", `{"model":"m","a":` + nest(512, `[`, `]`) + `}`, errTooDeep},
		{"top-level array, 513 levels", nest(513, `[`, `]`), errTooDeep},
		{"top-level array, 512 levels", nest(512, `[`, `]`), errNotObject},
		{"stream_options, 513 levels", `{"model":"m","stream_options":` + nest(512, `{"a":`, `}`) + `}`, errTooDeep},
	}
	for _, tc := range tests {
		if _, err := scanRequest([]byte(tc.body)); !errors.Is(err, tc.err) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.err)
		}
	}
	if !strings.Contains(errTooDeep.Error(), "nested too deeply") {
		t.Errorf("errTooDeep says %q", errTooDeep)
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
		// A model name with characters strconv.Quote writes in Go syntax.
		{`{"model":"c"}`, "a\x07\u2028\U0001F600\xff", false, `{"model":"a\u0007\u2028😀\ufffd"}`},
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

// oracle is what encoding/json reads from body for the fields scanRequest
// reads: the same struct, or the type error (errModelType...) a field
// gets. ok is false when body is not a JSON object.
func oracle(body []byte) (want requestFields, hasModel bool, err error, ok bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		return want, false, nil, false
	}
	if raw, has := obj["model"]; has {
		if json.Unmarshal(raw, &want.model) != nil || raw[0] != '"' {
			return want, true, errModelType, true
		}
		hasModel = true
	}
	if raw, has := obj["stream"]; has {
		var b *bool
		if json.Unmarshal(raw, &b) != nil {
			return want, hasModel, errStreamType, true
		}
		want.stream = b != nil && *b
	}
	if raw, has := obj["user"]; has {
		var u *string
		if json.Unmarshal(raw, &u) != nil {
			return want, hasModel, errUserType, true
		}
		if u != nil {
			want.user = *u
		}
	}
	if raw, has := obj["stream_options"]; has && string(raw) != "null" {
		var so map[string]json.RawMessage
		if raw[0] != '{' || json.Unmarshal(raw, &so) != nil {
			return want, hasModel, errStreamOptObj, true
		}
		want.hasStreamOptions = true
		want.includeUsage = string(so["include_usage"]) == "true"
	}
	return want, hasModel, nil, true
}

// depthOver reports whether body nests objects and arrays more than
// maxDepth levels deep (counting brackets outside strings).
func depthOver(body []byte) bool {
	depth, inStr := 0, false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			if depth++; depth > maxDepth {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}

// FuzzScanRequest checks the scanner against encoding/json on every field
// it reads (model, stream, user, stream_options.include_usage, and the type
// errors of each), on validity, and checks that a rewrite, with any model
// name, stays valid JSON and changes only the model. `go test` runs the
// seeds; `go test -fuzz FuzzScanRequest ./gateway` explores.
func FuzzScanRequest(f *testing.F) {
	for _, s := range []string{`{"model":"a","messages":[{"content":"x"}]}`, `{"model":"\u0041","n":-1.5e3,"x":[true,false,null]}`,
		`{"stream":true,"model":""}`, `{"a":{"b":[{}]}}`, `[]`, `{"model":"m"`,
		`{"model":"local\/local-m","user":"\ud83d\ude00"}`, `{"model":"m","user":"\ud83d\u0041"}`,
		`{"model":"m","user":"\udc00\ud800"}`, "{\"model\":\"\xff\xfe\",\"user\":\"\xed\xa0\x80\"}",
		`{"mod\u0065l":"m","model":"n"}`, `{"model":"m","stream":null,"stream":true,"user":null}`,
		`{"model":"m","stream_options":{"include_usage":true,"include\u005fusage":false}}`,
		`{"model":"m","stream_options":{"x":{"include_usage":true}}}`, `{"model":"m","stream_options":[]}`,
		`{"model":null}`, `{"model":"m","user":1}`, `{"model":"m","stream":1}`, `{"model":"\u2028\"\\\/\b"}`,
		`{"a":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := scanRequest(body)
		want, hasModel, wantErr, isObject := oracle(body)
		if !isObject {
			if err == nil {
				t.Fatalf("scanner accepted what encoding/json rejects as an object: %q", body)
			}
			return
		}
		if errors.Is(err, errTooDeep) && depthOver(body) {
			return // encoding/json allows 10000 levels
		}
		if !errors.Is(err, wantErr) {
			t.Fatalf("scanner: %v, encoding/json: %v, on %q", err, wantErr, body)
		}
		if err != nil {
			return
		}
		cmp := got
		cmp.modelStart, cmp.modelEnd, cmp.objectEnd = 0, 0, 0
		if cmp != want {
			t.Fatalf("scanner read %+v, encoding/json %+v, in %q", cmp, want, body)
		}
		if !hasModel {
			return
		}
		for _, model := range []string{"rewritten", got.model + "\x00\xff\u2028"} {
			out := rewriteModel(body, got, model, true)
			var back, obj map[string]json.RawMessage
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("rewrite of %q with %q is invalid: %q", body, model, out)
			}
			_ = json.Unmarshal(body, &obj)
			var m string
			if json.Unmarshal(back["model"], &m) != nil || m != strings.ToValidUTF8(model, "\uFFFD") || len(back) < len(obj) {
				t.Fatalf("rewrite of %q with %q gave %q", body, model, out)
			}
		}
	})
}

// BenchmarkScanRequest measures the scanner on a typical chat body, which
// takes the no-escape fast path.
func BenchmarkScanRequest(b *testing.B) {
	body := []byte(`{"model":"coder","messages":[{"role":"system","content":"You are a helpful assistant."},` +
		`{"role":"user","content":"Write a function that reverses a string, with tests."}],"stream":true,"user":"u-42",` +
		`"temperature":0.2,"stream_options":{"include_usage":true}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := scanRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}
