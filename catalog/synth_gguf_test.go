package catalog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// synthModel describes a model whose GGUF header the tests write: the
// metadata llama.cpp's converter writes and the tensors of a Q4_K_M file
// (Q4_K for most matrices, Q6_K for the output and for attn_v and ffn_down of
// every other layer, Q8_0 where a row is not a multiple of 256, F32 norms),
// with no tensor data.
type synthModel struct {
	file                              string
	arch                              string
	layers, emb, ff, heads, kvHeads   int
	headDim, vocab, context           int
	swa, swaPattern                   int
	tied, qkvBias, qkNorm, postNorms  bool
	fusedQKV                          bool // phi3: attn_qkv and a fused gate+up
	experts, expertsUsed, expertFF    int
	sharedExperts, leadingDense       int
	mlaKVRank, mlaRope, mlaNope, mlaV int // deepseek2 multi-head latent attention
}

// synthModels are the architectures checked against gguf-parser-go, with the
// numbers of the published config.json of each model.
var synthModels = []synthModel{
	{file: "llama-3.1-8b.gguf", arch: "llama", layers: 32, emb: 4096, ff: 14336, heads: 32, kvHeads: 8, headDim: 128, vocab: 128256, context: 131072},
	{file: "qwen2.5-7b.gguf", arch: "qwen2", layers: 28, emb: 3584, ff: 18944, heads: 28, kvHeads: 4, headDim: 128, vocab: 152064, context: 32768, qkvBias: true},
	{file: "qwen3-8b.gguf", arch: "qwen3", layers: 36, emb: 4096, ff: 12288, heads: 32, kvHeads: 8, headDim: 128, vocab: 151936, context: 40960, qkNorm: true},
	{file: "phi-4.gguf", arch: "phi3", layers: 40, emb: 5120, ff: 17920, heads: 40, kvHeads: 10, headDim: 128, vocab: 100352, context: 16384, fusedQKV: true},
	{file: "gemma-2-9b.gguf", arch: "gemma2", layers: 42, emb: 3584, ff: 14336, heads: 16, kvHeads: 8, headDim: 256, vocab: 256000, context: 8192, swa: 4096, swaPattern: 2, tied: true, postNorms: true},
	{file: "gemma-3-12b.gguf", arch: "gemma3", layers: 48, emb: 3840, ff: 15360, heads: 16, kvHeads: 8, headDim: 256, vocab: 262208, context: 131072, swa: 1024, swaPattern: 6, tied: true, postNorms: true, qkNorm: true},
	{file: "qwen3-30b-a3b.gguf", arch: "qwen3moe", layers: 48, emb: 2048, heads: 32, kvHeads: 4, headDim: 128, vocab: 151936, context: 40960, qkNorm: true, experts: 128, expertsUsed: 8, expertFF: 768},
	{file: "deepseek-coder-v2-lite.gguf", arch: "deepseek2", layers: 27, emb: 2048, ff: 10944, heads: 16, kvHeads: 1, headDim: 192, vocab: 102400, context: 163840, experts: 64, expertsUsed: 6, expertFF: 1408, sharedExperts: 2, leadingDense: 1, mlaKVRank: 512, mlaRope: 64, mlaNope: 128, mlaV: 128},
}

// kv is one metadata entry of a synthetic header.
type kv struct {
	key string
	val any
}

// quantType returns preferred, or its llama.cpp fallback when a row of
// rowLen elements is not a whole number of 256-element super-blocks.
func quantType(preferred GGMLType, rowLen int) GGMLType {
	if rowLen%256 == 0 {
		return preferred
	}
	return TypeQ8_0
}

// tensors lists the tensor infos of the model.
func (m synthModel) tensors() []TensorInfo {
	var ts []TensorInfo
	add := func(name string, t GGMLType, dims ...int) {
		d := make([]uint64, len(dims))
		for i, v := range dims {
			d[i] = uint64(v)
		}
		if t != TypeF32 {
			t = quantType(t, dims[0])
		}
		ts = append(ts, TensorInfo{Name: name, Dims: d, Type: t})
	}
	add("token_embd.weight", TypeQ4_K, m.emb, m.vocab)
	for i := range m.layers {
		p := fmt.Sprintf("blk.%d.", i)
		big := TypeQ4_K
		if i%2 == 0 {
			big = TypeQ6_K
		}
		add(p+"attn_norm.weight", TypeF32, m.emb)
		switch {
		case m.mlaKVRank > 0:
			add(p+"attn_q.weight", TypeQ4_K, m.emb, m.heads*(m.mlaNope+m.mlaRope))
			add(p+"attn_kv_a_mqa.weight", TypeQ4_K, m.emb, m.mlaKVRank+m.mlaRope)
			add(p+"attn_kv_a_norm.weight", TypeF32, m.mlaKVRank)
			add(p+"attn_k_b.weight", big, m.mlaNope, m.mlaKVRank, m.heads)
			add(p+"attn_v_b.weight", big, m.mlaKVRank, m.mlaV, m.heads)
			add(p+"attn_output.weight", TypeQ4_K, m.heads*m.mlaV, m.emb)
		case m.fusedQKV:
			add(p+"attn_qkv.weight", big, m.emb, (m.heads+2*m.kvHeads)*m.headDim)
			add(p+"attn_output.weight", TypeQ4_K, m.heads*m.headDim, m.emb)
		default:
			add(p+"attn_q.weight", TypeQ4_K, m.emb, m.heads*m.headDim)
			add(p+"attn_k.weight", TypeQ4_K, m.emb, m.kvHeads*m.headDim)
			add(p+"attn_v.weight", big, m.emb, m.kvHeads*m.headDim)
			add(p+"attn_output.weight", TypeQ4_K, m.heads*m.headDim, m.emb)
			if m.qkvBias {
				add(p+"attn_q.bias", TypeF32, m.heads*m.headDim)
				add(p+"attn_k.bias", TypeF32, m.kvHeads*m.headDim)
				add(p+"attn_v.bias", TypeF32, m.kvHeads*m.headDim)
			}
			if m.qkNorm {
				add(p+"attn_q_norm.weight", TypeF32, m.headDim)
				add(p+"attn_k_norm.weight", TypeF32, m.headDim)
			}
		}
		if m.postNorms {
			add(p+"post_attention_norm.weight", TypeF32, m.emb)
			add(p+"post_ffw_norm.weight", TypeF32, m.emb)
		}
		add(p+"ffn_norm.weight", TypeF32, m.emb)
		switch {
		case m.experts > 0 && i >= m.leadingDense:
			add(p+"ffn_gate_inp.weight", TypeF32, m.emb, m.experts)
			add(p+"ffn_gate_exps.weight", TypeQ4_K, m.emb, m.expertFF, m.experts)
			add(p+"ffn_up_exps.weight", TypeQ4_K, m.emb, m.expertFF, m.experts)
			add(p+"ffn_down_exps.weight", big, m.expertFF, m.emb, m.experts)
			if m.sharedExperts > 0 {
				sh := m.sharedExperts * m.expertFF
				add(p+"ffn_gate_shexp.weight", TypeQ4_K, m.emb, sh)
				add(p+"ffn_up_shexp.weight", TypeQ4_K, m.emb, sh)
				add(p+"ffn_down_shexp.weight", big, sh, m.emb)
			}
		case m.fusedQKV:
			add(p+"ffn_up.weight", TypeQ4_K, m.emb, 2*m.ff)
			add(p+"ffn_down.weight", big, m.ff, m.emb)
		default:
			add(p+"ffn_gate.weight", TypeQ4_K, m.emb, m.ff)
			add(p+"ffn_up.weight", TypeQ4_K, m.emb, m.ff)
			add(p+"ffn_down.weight", big, m.ff, m.emb)
		}
	}
	add("output_norm.weight", TypeF32, m.emb)
	if !m.tied {
		add("output.weight", TypeQ6_K, m.emb, m.vocab)
	}
	var off uint64
	for i := range ts {
		ts[i].Offset = off
		off += (ts[i].Bytes() + ggufDefaultAlign - 1) / ggufDefaultAlign * ggufDefaultAlign
	}
	return ts
}

// metadata lists the metadata entries llama.cpp's converter writes for the
// model (the tokenizer's token list left out: the vocabulary size is in
// <arch>.vocab_size and in token_embd's shape).
func (m synthModel) metadata() []kv {
	a := m.arch
	md := []kv{
		{"general.architecture", a},
		{"general.name", m.file},
		{"general.file_type", uint32(15)},
		{a + ".block_count", uint32(m.layers)},
		{a + ".context_length", uint32(m.context)},
		{a + ".embedding_length", uint32(m.emb)},
		{a + ".attention.head_count", uint32(m.heads)},
		{a + ".attention.head_count_kv", uint32(m.kvHeads)},
		{a + ".vocab_size", uint32(m.vocab)},
		{a + ".rope.freq_base", float32(500000)},
		{a + ".attention.layer_norm_rms_epsilon", float32(1e-5)},
	}
	if m.ff > 0 {
		md = append(md, kv{a + ".feed_forward_length", uint32(m.ff)})
	}
	if m.headDim*m.heads != m.emb || m.mlaKVRank > 0 {
		k, v := m.headDim, m.headDim
		if m.mlaKVRank > 0 {
			// A conversion with the MLA split (llama.cpp since 2025): the
			// cache holds the latent and the rope part, one "KV head".
			k, v = m.mlaKVRank+m.mlaRope, m.mlaKVRank
			md = append(md,
				kv{a + ".attention.key_length_mla", uint32(m.mlaNope + m.mlaRope)},
				kv{a + ".attention.value_length_mla", uint32(m.mlaV)})
		}
		md = append(md, kv{a + ".attention.key_length", uint32(k)}, kv{a + ".attention.value_length", uint32(v)})
	}
	if m.swa > 0 {
		md = append(md, kv{a + ".attention.sliding_window", uint32(m.swa)})
	}
	if m.experts > 0 {
		md = append(md,
			kv{a + ".expert_count", uint32(m.experts)},
			kv{a + ".expert_used_count", uint32(m.expertsUsed)},
			kv{a + ".expert_feed_forward_length", uint32(m.expertFF)})
	}
	if m.sharedExperts > 0 {
		md = append(md, kv{a + ".expert_shared_count", uint32(m.sharedExperts)})
	}
	if m.leadingDense > 0 {
		md = append(md, kv{a + ".leading_dense_block_count", uint32(m.leadingDense)})
	}
	if m.mlaKVRank > 0 {
		md = append(md,
			kv{a + ".attention.kv_lora_rank", uint32(m.mlaKVRank)},
			kv{a + ".rope.dimension_count", uint32(m.mlaRope)})
	}
	md = append(md,
		kv{"tokenizer.ggml.model", "gpt2"},
		kv{"tokenizer.ggml.bos_token_id", uint32(1)},
		kv{"tokenizer.ggml.eos_token_id", uint32(2)})
	return md
}

// header returns the GGUF v3 header of the model: metadata, tensor infos and
// the padding up to where tensor data would start.
func (m synthModel) header(t testing.TB) []byte {
	t.Helper()
	return encodeGGUF(t, m.metadata(), m.tensors())
}

// dataSize returns the bytes of tensor data after the header.
func (m synthModel) dataSize() int64 {
	ts := m.tensors()
	last := ts[len(ts)-1]
	return int64(last.Offset + last.Bytes())
}

// writeFile writes the model as a sparse file: the header, then a hole as
// large as the tensor data.
func (m synthModel) writeFile(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, m.file)
	h := m.header(t)
	if err := os.WriteFile(path, h, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, int64(len(h))+m.dataSize()); err != nil {
		t.Fatal(err)
	}
	return path
}

// encodeGGUF writes a GGUF v3 header.
func encodeGGUF(t testing.TB, md []kv, ts []TensorInfo) []byte {
	t.Helper()
	var b bytes.Buffer
	le := func(v any) {
		if err := binary.Write(&b, binary.LittleEndian, v); err != nil {
			t.Fatal(err)
		}
	}
	str := func(s string) { le(uint64(len(s))); b.WriteString(s) }
	le(uint32(ggufMagic))
	le(uint32(3))
	le(uint64(len(ts)))
	le(uint64(len(md)))
	for _, e := range md {
		str(e.key)
		writeValue(t, &b, e.val, le, str)
	}
	for _, ti := range ts {
		str(ti.Name)
		le(uint32(len(ti.Dims)))
		for _, d := range ti.Dims {
			le(d)
		}
		le(uint32(ti.Type))
		le(ti.Offset)
	}
	for b.Len()%ggufDefaultAlign != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

func writeValue(t testing.TB, b *bytes.Buffer, v any, le func(any), str func(string)) {
	t.Helper()
	switch x := v.(type) {
	case uint8:
		le(uint32(ggufUint8))
		le(x)
	case uint32:
		le(uint32(ggufUint32))
		le(x)
	case int32:
		le(uint32(ggufInt32))
		le(x)
	case uint64:
		le(uint32(ggufUint64))
		le(x)
	case float32:
		le(uint32(ggufFloat32))
		le(math.Float32bits(x))
	case bool:
		le(uint32(ggufBool))
		if x {
			b.WriteByte(1)
		} else {
			b.WriteByte(0)
		}
	case string:
		le(uint32(ggufString))
		str(x)
	case []string:
		le(uint32(ggufArray))
		le(uint32(ggufString))
		le(uint64(len(x)))
		for _, s := range x {
			str(s)
		}
	case []int32:
		le(uint32(ggufArray))
		le(uint32(ggufInt32))
		le(uint64(len(x)))
		for _, n := range x {
			le(n)
		}
	default:
		t.Fatalf("synthetic GGUF: unsupported value %T", v)
	}
}

// TestWriteSyntheticGGUF writes the synthetic files to the folder named by
// FLYWHEEL_WRITE_GGUF (a sparse file per model), for running another
// estimator on them; docs/catalog.md says how the reference numbers were made.
func TestWriteSyntheticGGUF(t *testing.T) {
	dir := os.Getenv("FLYWHEEL_WRITE_GGUF")
	if dir == "" {
		t.Skip("set FLYWHEEL_WRITE_GGUF=DIR to write the synthetic GGUF files")
	}
	for _, m := range synthModels {
		t.Log(m.writeFile(t, dir))
	}
}
