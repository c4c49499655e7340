package simulate

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"net/http"
	"strconv"
)

// maxDimensions bounds the length of an embedding vector.
const maxDimensions = 16384

// serveEmbeddings answers POST /v1/embeddings: one deterministic unit vector
// per input, seeded by the input's hash.
func (s *Server) serveEmbeddings(w http.ResponseWriter, r *http.Request, sc *scratch, f *Faults) {
	req := &sc.embedding
	*req = embeddingRequest{Input: embeddingInput{items: req.Input.items[:0]}}
	if !s.decode(w, sc, req, &req.Model) {
		return
	}
	if !req.Input.set || len(req.Input.items) == 0 {
		s.reject(w, sc, invalidRequest(http.StatusBadRequest, "'input' must be a string or a non-empty array.", "input", ""))
		return
	}
	dims := s.dims
	if req.Dimensions != 0 {
		if req.Dimensions < 1 || req.Dimensions > maxDimensions {
			s.reject(w, sc, invalidRequest(http.StatusBadRequest,
				"'dimensions' must be between 1 and "+strconv.Itoa(maxDimensions)+".", "dimensions", ""))
			return
		}
		dims = req.Dimensions
	}
	b64 := false
	switch req.EncodingFormat {
	case "", "float":
	case "base64":
		b64 = true
	default:
		s.reject(w, sc, invalidRequest(http.StatusBadRequest,
			"'encoding_format' must be \"float\" or \"base64\".", "encoding_format", ""))
		return
	}
	if !s.wait(r, f.TTFT) {
		s.giveUp(w)
		return
	}
	b := append(sc.out[:0], `{"object":"list","data":[`...)
	tokens := 0
	for i, in := range req.Input.items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"object":"embedding","index":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `,"embedding":`...)
		b = appendEmbedding(b, in.hash, dims, b64)
		b = append(b, '}')
		tokens += in.tokens
	}
	b = append(b, `],"model":`...)
	b = append(b, sc.model...)
	b = append(b, `,"usage":{"prompt_tokens":`...)
	b = strconv.AppendInt(b, int64(tokens), 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(tokens), 10)
	b = append(b, "}}\n"...)
	sc.out = b
	writeJSON(w, http.StatusOK, b)
	s.stats.add(&s.stats.completed, 1)
}

// Embedding returns the vector the simulator gives for an input with this
// text (a plain string) and number of dimensions.
func Embedding(text string, dims int) []float32 {
	v := make([]float32, dims)
	seed, scale := embeddingSeed(hashText(text), dims)
	for j := range v {
		v[j] = float32(component(seed, j) * scale)
	}
	return v
}

// embeddingSeed returns the generator seed for an input hash and the factor
// that makes the vector unit length.
func embeddingSeed(hash uint64, dims int) (uint64, float64) {
	seed := mix64(hash ^ 0x656d626564) // "embed"
	var sum float64
	for j := 0; j < dims; j++ {
		c := component(seed, j)
		sum += c * c
	}
	if sum == 0 {
		return seed, 0
	}
	return seed, 1 / math.Sqrt(sum)
}

// component is coordinate j before normalization, uniform in [-1, 1).
func component(seed uint64, j int) float64 {
	return float64(int64(mix64(seed+uint64(j+1)*0x9e3779b97f4a7c15))) / (1 << 63)
}

// appendEmbedding appends the vector as a JSON array of numbers, or as a
// base64 string of little-endian float32s.
func appendEmbedding(b []byte, hash uint64, dims int, b64 bool) []byte {
	seed, scale := embeddingSeed(hash, dims)
	if !b64 {
		b = append(b, '[')
		for j := 0; j < dims; j++ {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, float64(float32(component(seed, j)*scale)), 'g', -1, 32)
		}
		return append(b, ']')
	}
	raw := make([]byte, 4*dims)
	for j := 0; j < dims; j++ {
		binary.LittleEndian.PutUint32(raw[4*j:], math.Float32bits(float32(component(seed, j)*scale)))
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, raw)
	return append(b, '"')
}
