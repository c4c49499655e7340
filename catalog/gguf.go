package catalog

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
)

// GGUF limits that keep a hostile header from exhausting memory.
const (
	ggufMaxString      = 16 << 20 // one string (a chat template is ~10 KiB)
	ggufMaxCount       = 1 << 24  // metadata entries, tensors, array elements
	ggufMaxDims        = 4        // GGML_MAX_DIMS
	ggufKeepArrayElems = 1 << 16  // arrays longer than this keep their length only
	ggufDefaultAlign   = 32
)

// ggufMagic is "GGUF" read as a little-endian uint32.
const ggufMagic = 0x46554747

// GGUF metadata value types.
const (
	ggufUint8   = 0
	ggufInt8    = 1
	ggufUint16  = 2
	ggufInt16   = 3
	ggufUint32  = 4
	ggufInt32   = 5
	ggufFloat32 = 6
	ggufBool    = 7
	ggufString  = 8
	ggufArray   = 9
	ggufUint64  = 10
	ggufInt64   = 11
	ggufFloat64 = 12
)

// GGUFFile is the header of a GGUF file: its metadata and tensor infos. The
// tensor data is never read.
type GGUFFile struct {
	// Version is the GGUF format version (2 or 3).
	Version uint32
	// Metadata maps keys to values: Go integers, floats, bools and strings
	// of the stored width, or a [GGUFArray].
	Metadata map[string]any
	// Keys lists the metadata keys in file order.
	Keys []string
	// Tensors are the tensor infos in file order.
	Tensors []TensorInfo
	// Alignment is general.alignment or 32.
	Alignment uint64
	// DataOffset is where tensor data starts.
	DataOffset int64
	// Size is the file size when read from a file, 0 otherwise.
	Size int64
}

// GGUFArray is an array metadata value. Values holds the elements of arrays
// up to 65536 long; longer ones (token lists) keep their length only.
type GGUFArray struct {
	// Type is the element type (a GGUF value type number).
	Type uint32
	// Len is the element count.
	Len uint64
	// Values are the elements, or nil when the array was too long to keep.
	Values []any
}

// TensorInfo describes one tensor of a GGUF file.
type TensorInfo struct {
	// Name is the tensor name, like "blk.0.attn_q.weight".
	Name string
	// Dims are the dimensions, innermost (row length) first.
	Dims []uint64
	// Type is the element type.
	Type GGMLType
	// Offset is the data offset relative to GGUFFile.DataOffset.
	Offset uint64
}

// Elements returns the number of elements.
func (t TensorInfo) Elements() uint64 {
	n := uint64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// Bytes returns the size of the tensor's data.
func (t TensorInfo) Bytes() uint64 {
	if len(t.Dims) == 0 {
		return 0
	}
	rows := t.Elements() / max(t.Dims[0], 1)
	return t.Type.RowBytes(t.Dims[0]) * rows
}

// ErrNotGGUF is returned for input that does not start with the GGUF magic.
var ErrNotGGUF = errors.New("not a GGUF file")

// OpenGGUF reads the header of a GGUF file on disk. For the first shard of
// a split model ("...-00001-of-00003.gguf", as llama-gguf-split writes
// them) it reads every shard and returns the first one's metadata with the
// tensors of all of them; Size is then the sum of the shards.
func OpenGGUF(path string) (*GGUFFile, error) {
	g, err := openOneGGUF(path)
	if err != nil {
		return nil, err
	}
	m := ggufSplitName.FindStringSubmatch(path)
	if m == nil || m[2] != "00001" {
		return g, nil
	}
	count, _ := strconv.Atoi(m[3])
	for i := 2; i <= count; i++ {
		shard := fmt.Sprintf("%s-%05d-of-%s.gguf", m[1], i, m[3])
		sg, err := openOneGGUF(shard)
		if err != nil {
			return nil, fmt.Errorf("shard %d of %d: %w", i, count, err)
		}
		g.Tensors = append(g.Tensors, sg.Tensors...)
		g.Size += sg.Size
	}
	return g, nil
}

// ggufSplitName matches a shard's file name: stem, shard number, count.
var ggufSplitName = regexp.MustCompile(`^(.*)-(\d{5})-of-(\d{5})\.gguf$`)

// openOneGGUF reads one file's header and checks that its tensors lie
// within the file.
func openOneGGUF(path string) (*GGUFFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	g, err := ReadGGUF(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if st, err := f.Stat(); err == nil {
		g.Size = st.Size()
	}
	if g.Size > 0 {
		for _, t := range g.Tensors {
			if end := g.DataOffset + int64(t.Offset) + int64(t.Bytes()); end > g.Size {
				return nil, fmt.Errorf("%s: tensor %s ends at byte %d, past the end of the file (%d bytes): truncated download?", path, t.Name, end, g.Size)
			}
		}
	}
	return g, nil
}

// ReadGGUF reads a GGUF header (versions 2 and 3, little-endian) from r. It
// reads the metadata and tensor infos and stops where tensor data begins.
func ReadGGUF(r io.Reader) (*GGUFFile, error) {
	d := &ggufDecoder{r: bufio.NewReaderSize(r, 64<<10)}
	magic := d.u32()
	if d.err != nil {
		return nil, fmt.Errorf("gguf: %w", d.err)
	}
	if magic != ggufMagic {
		return nil, ErrNotGGUF
	}
	g := &GGUFFile{Version: d.u32(), Metadata: map[string]any{}, Alignment: ggufDefaultAlign}
	if d.err == nil && (g.Version < 2 || g.Version > 3) {
		return nil, fmt.Errorf("gguf: version %d is not supported (want 2 or 3)", g.Version)
	}
	nTensors, nKV := d.count("tensor count"), d.count("metadata count")
	for i := uint64(0); i < nKV && d.err == nil; i++ {
		key := d.str()
		typ := d.u32()
		v := d.value(typ, 0)
		if d.err != nil {
			return nil, fmt.Errorf("gguf: metadata %q: %w", key, d.err)
		}
		if _, dup := g.Metadata[key]; dup {
			return nil, fmt.Errorf("gguf: duplicate metadata key %q", key)
		}
		g.Metadata[key] = v
		g.Keys = append(g.Keys, key)
	}
	if a, ok := g.Uint("general.alignment"); ok {
		if a == 0 || a&(a-1) != 0 {
			return nil, fmt.Errorf("gguf: general.alignment %d is not a power of two", a)
		}
		g.Alignment = a
	}
	g.Tensors = make([]TensorInfo, 0, min(nTensors, 4096))
	for i := uint64(0); i < nTensors && d.err == nil; i++ {
		t := TensorInfo{Name: d.str()}
		nd := d.u32()
		if nd > ggufMaxDims {
			return nil, fmt.Errorf("gguf: tensor %q has %d dimensions", t.Name, nd)
		}
		t.Dims = make([]uint64, nd)
		elems := uint64(1)
		for j := range t.Dims {
			t.Dims[j] = d.u64()
			if t.Dims[j] != 0 && elems > math.MaxInt64/t.Dims[j] {
				d.fail(fmt.Errorf("tensor %q is too large", t.Name))
			}
			elems *= max(t.Dims[j], 1)
		}
		t.Type = GGMLType(d.u32())
		t.Offset = d.u64()
		if d.err != nil {
			break
		}
		if !t.Type.Known() {
			return nil, fmt.Errorf("gguf: tensor %q has unknown type %d", t.Name, uint32(t.Type))
		}
		g.Tensors = append(g.Tensors, t)
	}
	if d.err != nil {
		return nil, fmt.Errorf("gguf: %w", d.err)
	}
	g.DataOffset = int64((d.pos + g.Alignment - 1) / g.Alignment * g.Alignment)
	return g, nil
}

// ggufDecoder reads little-endian GGUF values, keeping the first error.
type ggufDecoder struct {
	r   *bufio.Reader
	pos uint64
	err error
	buf [8]byte
}

func (d *ggufDecoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *ggufDecoder) read(n int) []byte {
	b := d.buf[:n]
	if d.err == nil {
		_, err := io.ReadFull(d.r, b)
		if err == nil {
			d.pos += uint64(n)
			return b
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		d.fail(err)
	}
	clear(b) // after an error every value reads as zero, so no loop runs on garbage
	return b
}

func (d *ggufDecoder) u8() uint8   { return d.read(1)[0] }
func (d *ggufDecoder) u16() uint16 { return binary.LittleEndian.Uint16(d.read(2)) }
func (d *ggufDecoder) u32() uint32 { return binary.LittleEndian.Uint32(d.read(4)) }
func (d *ggufDecoder) u64() uint64 { return binary.LittleEndian.Uint64(d.read(8)) }

func (d *ggufDecoder) count(what string) uint64 {
	n := d.u64()
	if d.err == nil && n > ggufMaxCount {
		d.fail(fmt.Errorf("%s %d is implausible", what, n))
		return 0
	}
	return n
}

func (d *ggufDecoder) str() string {
	n := d.u64()
	if d.err != nil {
		return ""
	}
	if n > ggufMaxString {
		d.fail(fmt.Errorf("string of %d bytes is implausible", n))
		return ""
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.fail(io.ErrUnexpectedEOF)
		return ""
	}
	d.pos += n
	return string(b)
}

// value reads one value of type typ; depth guards nested arrays.
func (d *ggufDecoder) value(typ uint32, depth int) any {
	switch typ {
	case ggufUint8:
		return d.u8()
	case ggufInt8:
		return int8(d.u8())
	case ggufUint16:
		return d.u16()
	case ggufInt16:
		return int16(d.u16())
	case ggufUint32:
		return d.u32()
	case ggufInt32:
		return int32(d.u32())
	case ggufFloat32:
		return math.Float32frombits(d.u32())
	case ggufBool:
		return d.u8() != 0
	case ggufString:
		return d.str()
	case ggufUint64:
		return d.u64()
	case ggufInt64:
		return int64(d.u64())
	case ggufFloat64:
		return math.Float64frombits(d.u64())
	case ggufArray:
		if depth > 2 {
			d.fail(errors.New("arrays nested too deep"))
			return nil
		}
		a := GGUFArray{Type: d.u32(), Len: d.count("array length")}
		keep := a.Len <= ggufKeepArrayElems
		if keep {
			a.Values = make([]any, 0, a.Len)
		}
		for i := uint64(0); i < a.Len && d.err == nil; i++ {
			v := d.value(a.Type, depth+1)
			if keep {
				a.Values = append(a.Values, v)
			}
		}
		return a
	}
	d.fail(fmt.Errorf("unknown value type %d", typ))
	return nil
}

// Uint returns an integer metadata value of any width, or the largest
// element of an integer array (per-layer values, like head_count_kv of a
// hybrid model).
func (g *GGUFFile) Uint(key string) (uint64, bool) {
	v, ok := g.Metadata[key]
	if !ok {
		return 0, false
	}
	if a, isArr := v.(GGUFArray); isArr {
		var m uint64
		found := false
		for _, e := range a.Values {
			if n, ok := toUint(e); ok {
				m, found = max(m, n), true
			}
		}
		return m, found
	}
	return toUint(v)
}

// String returns a string metadata value.
func (g *GGUFFile) String(key string) (string, bool) {
	s, ok := g.Metadata[key].(string)
	return s, ok
}

// Bool returns a bool metadata value.
func (g *GGUFFile) Bool(key string) (bool, bool) {
	b, ok := g.Metadata[key].(bool)
	return b, ok
}

// ArrayLen returns the length of an array metadata value.
func (g *GGUFFile) ArrayLen(key string) (uint64, bool) {
	a, ok := g.Metadata[key].(GGUFArray)
	return a.Len, ok
}

func toUint(v any) (uint64, bool) {
	switch n := v.(type) {
	case uint8:
		return uint64(n), true
	case uint16:
		return uint64(n), true
	case uint32:
		return uint64(n), true
	case uint64:
		return n, true
	case int8:
		return uint64(max(n, 0)), n >= 0
	case int16:
		return uint64(max(n, 0)), n >= 0
	case int32:
		return uint64(max(n, 0)), n >= 0
	case int64:
		return uint64(max(n, 0)), n >= 0
	}
	return 0, false
}
