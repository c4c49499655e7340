package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/flywheel-stack/flywheel/catalog"
	"github.com/flywheel-stack/flywheel/config"
)

func runCatalogCLI(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	cmd := newRootCommand()
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	cmd.SetArgs(args)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("flywheel %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func writeProfile(t *testing.T, profile string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "profile.json")
	if err := os.WriteFile(path, []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const rtx4090Profile = `{"cpu": {"physical_cores": 8}, "memory": {"total": "32GB", "available": "30GB"},
  "gpus": [{"vendor": "nvidia", "name": "NVIDIA GeForce RTX 4090", "vram_total": "24GB"}]}`

func TestCatalogRecommendJSON(t *testing.T) {
	path := writeProfile(t, rtx4090Profile)
	var r catalog.Recommendations
	out := runCatalogCLI(t, "catalog", "recommend", "--hardware", path, "--tag", "code", "--context", "8192", "--limit", "5", "--json")
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Tier != catalog.TierVeryHighVRAM || len(r.Fits) != 5 || len(r.Rejected) == 0 {
		t.Fatalf("tier %s, %d fits, %d rejected", r.Tier, len(r.Fits), len(r.Rejected))
	}
	for _, f := range r.Fits {
		if f.Context < 8192 || f.Placement.VRAM == 0 {
			t.Errorf("fit %+v", f)
		}
	}
	text := runCatalogCLI(t, "catalog", "recommend", "--hardware", path, "--why")
	for _, want := range []string{"machine: VERY_HIGH_VRAM_GPU", "QUANT", "not offered:", "llama-3.3-70b-instruct"} {
		if !strings.Contains(text, want) {
			t.Errorf("recommend output lacks %q:\n%s", want, text)
		}
	}
}

func TestCatalogDetectAndList(t *testing.T) {
	path := writeProfile(t, rtx4090Profile)
	var h catalog.Hardware
	if err := json.Unmarshal([]byte(runCatalogCLI(t, "catalog", "detect", "--hardware", path, "--json")), &h); err != nil {
		t.Fatal(err)
	}
	if h.Tier != catalog.TierVeryHighVRAM || h.GPUs[0].MemoryBandwidthGBps != 1008 {
		t.Errorf("profile = %+v", h)
	}
	if text := runCatalogCLI(t, "catalog", "detect"); !strings.Contains(text, "tier:") || !strings.Contains(text, "memory:") {
		t.Errorf("detect output:\n%s", text)
	}
	list := runCatalogCLI(t, "catalog", "list", "--tag", "embedding")
	if !strings.Contains(list, "nomic-embed-text-v1.5") || strings.Contains(list, "llama-3.1-8b") {
		t.Errorf("list --tag embedding:\n%s", list)
	}
}

// writeTinyGGUF writes a one-block llama model in F16: the header llama.cpp's
// converter would write, and a sparse hole for the tensor data.
func writeTinyGGUF(t *testing.T) string {
	t.Helper()
	const emb, ff, vocab = 256, 512, 1000
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	str := func(s string) { le(uint64(len(s))); b.WriteString(s) }
	type tensor struct {
		name string
		dims []uint64
		typ  uint32 // 0 F32, 1 F16
	}
	ts := []tensor{{"token_embd.weight", []uint64{emb, vocab}, 1}}
	for _, n := range []string{"attn_q", "attn_k", "attn_v", "attn_output"} {
		ts = append(ts, tensor{"blk.0." + n + ".weight", []uint64{emb, emb}, 1})
	}
	ts = append(ts, tensor{"blk.0.ffn_gate.weight", []uint64{emb, ff}, 1}, tensor{"blk.0.ffn_up.weight", []uint64{emb, ff}, 1},
		tensor{"blk.0.ffn_down.weight", []uint64{ff, emb}, 1}, tensor{"blk.0.attn_norm.weight", []uint64{emb}, 0},
		tensor{"blk.0.ffn_norm.weight", []uint64{emb}, 0}, tensor{"output_norm.weight", []uint64{emb}, 0},
		tensor{"output.weight", []uint64{emb, vocab}, 1})
	kvs := []struct {
		k string
		v uint32
	}{{"llama.block_count", 1}, {"llama.context_length", 2048}, {"llama.embedding_length", emb}, {"llama.feed_forward_length", ff},
		{"llama.attention.head_count", 4}, {"llama.attention.head_count_kv", 4}, {"general.file_type", 1}}
	le(uint32(0x46554747))
	le(uint32(3))
	le(uint64(len(ts)))
	le(uint64(len(kvs) + 1))
	str("general.architecture")
	le(uint32(8))
	str("llama")
	for _, kv := range kvs {
		str(kv.k)
		le(uint32(4))
		le(kv.v)
	}
	var off uint64
	for _, tn := range ts {
		str(tn.name)
		le(uint32(len(tn.dims)))
		n := uint64(1)
		for _, d := range tn.dims {
			le(d)
			n *= d
		}
		le(tn.typ)
		le(off)
		size := n * 2
		if tn.typ == 0 {
			size = n * 4
		}
		off += (size + 31) / 32 * 32
	}
	for b.Len()%32 != 0 {
		b.WriteByte(0)
	}
	path := filepath.Join(t.TempDir(), "tiny-llama-F16.gguf")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, int64(b.Len())+int64(off)); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCatalogFit(t *testing.T) {
	file := writeTinyGGUF(t)
	hw := writeProfile(t, rtx4090Profile)
	var got struct {
		Quant        string               `json:"quant"`
		Architecture catalog.Architecture `json:"architecture"`
		Estimate     catalog.Estimate     `json:"estimate"`
		Placement    catalog.Placement    `json:"placement"`
	}
	out := runCatalogCLI(t, "catalog", "fit", file, "--context", "1024", "--hardware", hw, "--json")
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// KV: 2 × 1 layer × 1024 cells × 4 KV heads × 64 × 2 bytes.
	if got.Quant != "F16" || got.Architecture.Layers != 1 || got.Architecture.Vocab != 1000 || got.Estimate.KVCache != 2*1024*4*64*2 {
		t.Errorf("fit = %+v", got)
	}
	if !got.Placement.Fits || !got.Placement.FullOffload() {
		t.Errorf("placement = %+v", got.Placement)
	}
	text := runCatalogCLI(t, "catalog", "fit", file, "--gpu-layers", "0", "--hardware", hw)
	for _, want := range []string{"model:         llama", "KV cache:", "CPU, -ngl 0", "fits:          yes"} {
		if !strings.Contains(text, want) {
			t.Errorf("fit output lacks %q:\n%s", want, text)
		}
	}
	cmd := newRootCommand()
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"catalog", "fit", filepath.Join(t.TempDir(), "missing.gguf")})
	if err := cmd.ExecuteContext(context.Background()); err == nil {
		t.Error("missing file: no error")
	}
}

func TestServePreflightWarnsAboutLocalModels(t *testing.T) {
	cfg := &config.Config{
		Backends: []config.Backend{{Name: "llama", Kind: config.KindLlamaCPP}, {Name: "remote", Kind: config.KindOpenAI}},
		Routes: []config.Route{{Name: "big", Targets: []config.Target{
			{Backend: "llama", Model: "llama3.3:70b"}, {Backend: "llama", Model: "qwen2.5-coder:7b"},
			{Backend: "remote", Model: "llama3.3:70b-remote-copy"}, {Backend: "llama", Model: "unknown-local-model"},
		}}},
	}
	d := catalog.Detector{
		Runner: catalog.RunnerFunc(func(context.Context, string, ...string) ([]byte, error) { return nil, catalog.ErrToolNotFound }),
		FS:     fstest.MapFS{"proc/meminfo": {Data: []byte("MemTotal: 16000000 kB\nMemAvailable: 14000000 kB\n")}},
	}
	var logs bytes.Buffer
	w := preflightModels(context.Background(), cfg, d, slog.New(slog.NewTextHandler(&logs, nil)))
	if len(w) != 1 || w[0].Model != "llama3.3:70b" {
		t.Fatalf("warnings = %+v", w)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "llama3.3:70b") {
		t.Errorf("log = %s", logs.String())
	}
	if got := preflightModels(context.Background(), &config.Config{}, d, slog.New(slog.NewTextHandler(&logs, nil))); got != nil {
		t.Errorf("no routes: %+v", got)
	}
}
