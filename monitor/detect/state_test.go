package detect

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// stepStream is noise around 100 with steps to 130 and back, so every
// detector passes through detections and resets.
func stepStream(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 3))
	v := make([]float64, n)
	for i := range v {
		mu := 100.0
		if (i/400)%2 == 1 {
			mu = 130
		}
		v[i] = mu + 5*r.NormFloat64()
	}
	return v
}

var allKinds = []factory{rawPH, rawADWIN, scaledPH, scaledADW}

// TestRestoreContinuesExactly stops a detector at several points of a
// stream (in the warm-up, just before and just after a detection, deep in
// the stream), restores it from its JSON into a new value with Restore, and
// checks that the restored one answers every later value as the
// uninterrupted one does and ends in the same encoded state.
func TestRestoreContinuesExactly(t *testing.T) {
	t.Parallel()
	stream := stepStream(2000, 1)
	for _, f := range allKinds {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			whole := f.new(t)
			answers := make([]bool, len(stream))
			cuts := []int{0, 5, 29}
			for i, x := range stream {
				answers[i] = whole.Update(x)
				if answers[i] && len(cuts) < 8 {
					cuts = append(cuts, i, i+1)
				}
			}
			if whole.Detections() == 0 {
				t.Fatal("stream should hold detections")
			}
			cuts = append(cuts, 1234, len(stream)-1)
			final, err := whole.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			for _, cut := range cuts {
				d := f.new(t)
				for _, x := range stream[:cut] {
					d.Update(x)
				}
				data, err := d.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				restored, err := Restore(data)
				if err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
				if restored.Kind() != d.Kind() {
					t.Fatalf("cut %d: kind %s, want %s", cut, restored.Kind(), d.Kind())
				}
				for i := cut; i < len(stream); i++ {
					if got := restored.Update(stream[i]); got != answers[i] {
						t.Fatalf("cut %d: value %d answered %v, uninterrupted %v", cut, i, got, answers[i])
					}
				}
				end, err := restored.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(end, final) {
					t.Fatalf("cut %d: final state differs:\n%s\n%s", cut, end, final)
				}
			}
		})
	}
}

// TestNonFiniteIgnored interleaves NaN, ±Inf and an overflowing magnitude
// with a stream: the answers and the state equal those of a detector fed
// the finite values only, and the ignored values are counted.
func TestNonFiniteIgnored(t *testing.T) {
	t.Parallel()
	stream := stepStream(1200, 2)
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -2 * MaxAbs}
	for _, f := range allKinds {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			clean, dirty := f.new(t), f.new(t)
			ignored := int64(0)
			for i, x := range stream {
				if i%7 == 0 {
					for _, b := range bad[:1+i%len(bad)] {
						if dirty.Update(b) {
							t.Fatalf("value %d: %v reported a detection", i, b)
						}
						ignored++
					}
				}
				if c, d := clean.Update(x), dirty.Update(x); c != d {
					t.Fatalf("value %d: answered %v, clean detector %v", i, d, c)
				}
			}
			if dirty.Ignored() != ignored || clean.Ignored() != 0 {
				t.Errorf("ignored %d (clean %d), want %d", dirty.Ignored(), clean.Ignored(), ignored)
			}
			if dirty.Seen() != int64(len(stream)) || dirty.Detections() != clean.Detections() || dirty.Detections() == 0 {
				t.Errorf("seen %d detections %d, clean detections %d", dirty.Seen(), dirty.Detections(), clean.Detections())
			}
			a, _ := clean.MarshalJSON()
			b, _ := dirty.MarshalJSON()
			ia, ib := bytes.Index(a, []byte(`"ignored"`)), bytes.Index(b, []byte(`"ignored"`))
			if ia < 0 || ib < 0 || !bytes.Equal(a[:ia], b[:ib]) {
				t.Errorf("state differs:\n%s\n%s", a, b)
			}
		})
	}
}

// TestRestoreRejectsBadState feeds broken encodings to Restore and to a
// detector's UnmarshalJSON: each gives ErrState and leaves the detector as
// it was.
func TestRestoreRejectsBadState(t *testing.T) {
	t.Parallel()
	p := mustPH(t, DefaultPageHinkley())
	a := mustADWIN(t, DefaultADWIN())
	for _, x := range stepStream(300, 4) {
		p.Update(x)
		a.Update(x)
	}
	phJSON, _ := p.MarshalJSON()
	adJSON, _ := a.MarshalJSON()
	cases := []struct {
		name string
		data string
	}{
		{"not json", `{"kind":`},
		{"unknown kind", `{"kind":"cusum","v":1}`},
		{"future version", strings.Replace(string(phJSON), `"v":1`, `"v":9`, 1)},
		{"bad config", strings.Replace(string(phJSON), `"alpha":0.9999`, `"alpha":2`, 1)},
		{"missing min_inc", strings.Replace(string(phJSON), `"min_inc":`, `"min_inc":null,"x":`, 1)},
		{"negative count", strings.Replace(string(phJSON), `"seen":300`, `"seen":-1`, 1)},
		{"width disagrees with buckets", strings.Replace(string(adJSON), `"width":`, `"width":1e6,"w0":`, 1)},
		{"no rows", strings.Replace(string(adJSON), `"rows":[`, `"rows":[],"r0":[`, 1)},
		{"bad clock", strings.Replace(string(adJSON), `"clock":32`, `"clock":0`, 1)},
		{"scaled without inner", `{"kind":"scaled","v":1,"config":{"warmup":30,"clip":4}}`},
	}
	for _, c := range cases {
		if c.data == string(phJSON) || c.data == string(adJSON) {
			t.Fatalf("%s: the edit did not apply", c.name)
		}
		if _, err := Restore([]byte(c.data)); !errors.Is(err, ErrState) {
			t.Errorf("%s: Restore error %v, want ErrState", c.name, err)
		}
	}
	for _, d := range []Detector{p, a} {
		before, _ := d.MarshalJSON()
		if err := d.UnmarshalJSON([]byte(`{"kind":"` + string(d.Kind()) + `","v":1,"config":{}}`)); !errors.Is(err, ErrState) {
			t.Errorf("%s: UnmarshalJSON error %v, want ErrState", d.Kind(), err)
		}
		if after, _ := d.MarshalJSON(); !bytes.Equal(before, after) {
			t.Errorf("%s: a failed UnmarshalJSON changed the state", d.Kind())
		}
	}
}

// TestConfigValidation rejects parameters out of range with a message that
// names the parameter.
func TestConfigValidation(t *testing.T) {
	t.Parallel()
	ph := func(f func(*PageHinkleyConfig)) error {
		c := DefaultPageHinkley()
		f(&c)
		_, err := NewPageHinkley(c)
		return err
	}
	ad := func(f func(*ADWINConfig)) error {
		c := DefaultADWIN()
		f(&c)
		_, err := NewADWIN(c)
		return err
	}
	cases := []struct {
		want string
		err  error
	}{
		{"min_instances", ph(func(c *PageHinkleyConfig) { c.MinInstances = 0 })},
		{"delta", ph(func(c *PageHinkleyConfig) { c.Delta = math.NaN() })},
		{"threshold", ph(func(c *PageHinkleyConfig) { c.Threshold = 0 })},
		{"alpha", ph(func(c *PageHinkleyConfig) { c.Alpha = 1.5 })},
		{"mode", ph(func(c *PageHinkleyConfig) { c.Mode = "sideways" })},
		{"delta", ad(func(c *ADWINConfig) { c.Delta = 1 })},
		{"clock", ad(func(c *ADWINConfig) { c.Clock = 0 })},
		{"max_buckets", ad(func(c *ADWINConfig) { c.MaxBuckets = 1 })},
		{"min_window_length", ad(func(c *ADWINConfig) { c.MinWindowLength = 0 })},
		{"grace_period", ad(func(c *ADWINConfig) { c.GracePeriod = -1 })},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v, want one naming %s", c.err, c.want)
		}
	}
	if _, err := NewScaled(ScaledConfig{Warmup: 1}, mustPH(t, DefaultPageHinkley())); err == nil {
		t.Error("warmup 1 accepted")
	}
	if _, err := NewScaled(DefaultScaled(), nil); err == nil {
		t.Error("nil detector accepted")
	}
}

// TestPageHinkleyModes checks that "up" ignores a fall, "down" ignores a
// rise, and "both" sees each.
func TestPageHinkleyModes(t *testing.T) {
	t.Parallel()
	level := func(first, second float64) []float64 {
		v := make([]float64, 200)
		for i := range v {
			v[i] = first
			if i >= 100 {
				v[i] = second
			}
			v[i] += float64(i%3) - 1
		}
		return v
	}
	up, down := level(10, 20), level(20, 10)
	for _, c := range []struct {
		mode             Mode
		seesUp, seesDown bool
	}{{ModeUp, true, false}, {ModeDown, false, true}, {ModeBoth, true, true}} {
		cfg := DefaultPageHinkley()
		cfg.Mode = c.mode
		gotUp := len(detectionsOf(mustPH(t, cfg), up)) > 0
		gotDown := len(detectionsOf(mustPH(t, cfg), down)) > 0
		if gotUp != c.seesUp || gotDown != c.seesDown {
			t.Errorf("mode %s: rise seen %v, fall seen %v; want %v, %v", c.mode, gotUp, gotDown, c.seesUp, c.seesDown)
		}
	}
}

// TestConstantStreamNeverFires feeds constant values (a zero MAD in the
// warm-up) and then a small step: no detection on the constant part, and
// the scaled detectors still see the step.
func TestConstantStreamNeverFires(t *testing.T) {
	t.Parallel()
	for _, f := range allKinds {
		d := f.new(t)
		for i := 0; i < 5000; i++ {
			if d.Update(42) {
				t.Fatalf("%s: detection on a constant stream at %d", f.name, i)
			}
		}
		if f.name == scaledPH.name || f.name == scaledADW.name {
			fired := false
			for i := 0; i < 200 && !fired; i++ {
				fired = d.Update(42.5)
			}
			if !fired {
				t.Errorf("%s: step from a constant stream not seen", f.name)
			}
		}
	}
}
