package provenance

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
)

// WriteText prints one "file:line: message" line per input error and
// finding, then a summary line.
func (r *Report) WriteText(w io.Writer) error {
	for _, err := range r.Errors {
		if _, err := fmt.Fprintln(w, err); err != nil {
			return err
		}
	}
	for _, f := range r.Findings {
		if _, err := fmt.Fprintln(w, f); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d files, %d images (%d pinned by digest), %d findings, %d unreadable\n",
		r.Files, r.Images, r.Pinned, len(r.Findings), len(r.Errors))
	return err
}

type jsonError struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

type jsonReport struct {
	Files    int         `json:"files"`
	Images   int         `json:"images"`
	Pinned   int         `json:"pinned"`
	Findings []Finding   `json:"findings"`
	Errors   []jsonError `json:"errors"`
}

func errorParts(err error) jsonError {
	var ie *InputError
	if errors.As(err, &ie) {
		return jsonError{File: ie.Path, Line: ie.Line, Message: ie.Err.Error()}
	}
	return jsonError{Message: err.Error()}
}

// WriteJSON prints the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{Files: r.Files, Images: r.Images, Pinned: r.Pinned, Findings: r.Findings, Errors: []jsonError{}}
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	for _, err := range r.Errors {
		out.Errors = append(out.Errors, errorParts(err))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// SARIF 2.1.0, the subset code scanning reads.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifResult     `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID               string       `json:"id"`
		ShortDescription sarifMessage `json:"shortDescription"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifInvocation struct {
		ExecutionSuccessful bool                `json:"executionSuccessful"`
		Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifLocation struct {
		Physical sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		Artifact sarifArtifact `json:"artifactLocation"`
		Region   *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
)

func sarifLocationOf(file string, line, col int) sarifLocation {
	loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: filepath.ToSlash(file)}}}
	if line > 0 {
		loc.Physical.Region = &sarifRegion{StartLine: line, StartColumn: col}
	}
	return loc
}

// WriteSARIF prints the report as a SARIF 2.1.0 log for code scanning:
// findings as results, unreadable inputs as tool execution notifications.
func (r *Report) WriteSARIF(w io.Writer) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "flywheel images",
			InformationURI: "https://github.com/flywheel-stack/flywheel/blob/main/docs/provenance.md"}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: len(r.Errors) == 0}},
		Results:     []sarifResult{},
	}
	rules := make([]string, 0, len(ruleHelp))
	for id := range ruleHelp {
		rules = append(rules, string(id))
	}
	sort.Strings(rules)
	for _, id := range rules {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules,
			sarifRule{ID: id, ShortDescription: sarifMessage{Text: ruleHelp[Rule(id)]}})
	}
	for _, err := range r.Errors {
		p := errorParts(err)
		n := sarifNotification{Level: "error", Message: sarifMessage{Text: p.Message}}
		if p.File != "" {
			n.Locations = []sarifLocation{sarifLocationOf(p.File, p.Line, 0)}
		}
		run.Invocations[0].Notifications = append(run.Invocations[0].Notifications, n)
	}
	for _, f := range r.Findings {
		level := "warning"
		if f.Rule == RuleInvalidReference || f.Rule == RuleDigestMissing {
			level = "error"
		}
		run.Results = append(run.Results, sarifResult{RuleID: string(f.Rule), Level: level,
			Message: sarifMessage{Text: f.Message}, Locations: []sarifLocation{sarifLocationOf(f.File, f.Line, f.Column)}})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

// Write prints the report in format: text, json or sarif.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "", "text":
		return r.WriteText(w)
	case "json":
		return r.WriteJSON(w)
	case "sarif":
		return r.WriteSARIF(w)
	}
	return fmt.Errorf("unknown format %q (want text, json or sarif)", format)
}
