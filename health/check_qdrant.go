package health

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// KindQdrant is the Spec kind of a Qdrant vector database.
const KindQdrant = "qdrant"

// QdrantOptions configures QdrantCheck. The zero value checks /readyz only.
type QdrantOptions struct {
	// Collection, when set, must exist and not be red.
	Collection string
	// APIKey, when set, is sent as Qdrant's api-key header: a server with
	// an API key answers /readyz without it but /collections only with it.
	APIKey string
	// Client sends the requests; nil means a private client without
	// keep-alives.
	Client *http.Client
}

// QdrantCheck returns a check of the Qdrant server at baseURL (e.g.
// http://127.0.0.1:6333; a trailing /readyz is accepted): GET /readyz must
// answer 200 and, when o.Collection is set, GET /collections/NAME must
// answer 200 with a collection status other than red. A yellow collection
// (optimizing) or a grey one (optimizations pending) serves queries and
// passes with a note. The API key never appears in the output.
func QdrantCheck(baseURL string, o QdrantOptions) CheckFunc {
	base := strings.TrimSuffix(strings.TrimRight(baseURL, "/"), "/readyz")
	client := orHealthClient(o.Client)
	header := http.Header{"Accept": {"application/json"}}
	if o.APIKey != "" {
		header.Set("Api-Key", o.APIKey)
	}
	scrub := scrubber(o.APIKey)
	ready := base + "/readyz"
	collection := base + "/collections/" + url.PathEscape(o.Collection)
	return func(ctx context.Context) Result {
		code, body, err := fetch(ctx, client, http.MethodGet, ready, header, nil)
		if err != nil {
			return Failf("%s", scrub("down: "+err.Error()))
		}
		if code != http.StatusOK {
			return Failf("%s", scrub(fmt.Sprintf("not ready: GET %s: status %d%s", ready, code, snippet(body))))
		}
		if o.Collection == "" {
			return Result{Status: StatusPass}
		}
		code, body, err = fetch(ctx, client, http.MethodGet, collection, header, nil)
		if err != nil {
			return Failf("%s", scrub("collection "+o.Collection+": "+err.Error()))
		}
		switch code {
		case http.StatusOK:
		case http.StatusNotFound:
			return Failf("collection %q not found", o.Collection)
		default:
			return Failf("%s", scrub(fmt.Sprintf("collection %q: GET %s: status %d%s", o.Collection, collection, code, snippet(body))))
		}
		var info struct {
			Result struct {
				Status string `json:"status"`
			} `json:"result"`
		}
		if err := json.Unmarshal(body, &info); err != nil || info.Result.Status == "" {
			return Failf("collection %q: GET %s: not a Qdrant answer%s", o.Collection, collection, snippet(body))
		}
		switch st := info.Result.Status; st {
		case "green":
			return Result{Status: StatusPass}
		case "red":
			return Failf("collection %q is red: an error occurred while optimizing it", o.Collection)
		default:
			return Passf("collection %q is %s", o.Collection, st)
		}
	}
}
