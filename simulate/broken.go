package simulate

import (
	"io"
	"net/http"
	"strconv"
)

// The kinds of Faults.BrokenAnswer.
const (
	// BrokenTruncated is a 200 application/json answer cut halfway.
	BrokenTruncated = "truncated"
	// BrokenHTML is a 200 text/html error page.
	BrokenHTML = "html"
	// BrokenEmpty is a 200 application/json answer with an empty body.
	BrokenEmpty = "empty"
)

func validBrokenAnswer(kind string) bool {
	switch kind {
	case "", BrokenTruncated, BrokenHTML, BrokenEmpty:
		return true
	}
	return false
}

// truncatedAnswer is the first half of a chat answer.
const truncatedAnswer = `{"id":"chatcmpl-broken","object":"chat.completion","created":1,"model":"m",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"The answer stops her`

// brokenPage is the page a proxy in front of a crashed server sends.
const brokenPage = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>" +
	"<body><h1>Bad Gateway</h1><p>The upstream server did not answer (simulated).</p></body></html>\n"

var contentTypeHTML = []string{"text/html; charset=utf-8"}

// serveBroken answers with a 200 of the given broken kind.
func serveBroken(w http.ResponseWriter, kind string) {
	body, ct := truncatedAnswer, contentTypeJSON
	switch kind {
	case BrokenHTML:
		body, ct = brokenPage, contentTypeHTML
	case BrokenEmpty:
		body = ""
	}
	h := w.Header()
	h["Content-Type"] = ct
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, body)
}
