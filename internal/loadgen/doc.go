// Package loadgen drives an OpenAI-compatible server with an open-loop load
// and measures what a client sees. It is the engine of `flywheel bench`,
// which sends the same load to a backend directly and through the gateway
// and reports the difference.
//
// The load is open loop: request i is sent at start + i/rate whatever
// happened to the requests before it, each in its own goroutine, and its
// latency is measured from the time it was scheduled to be sent as well as
// from the time it actually was. A closed loop (n workers that each wait for
// an answer before sending again) slows down with the server it measures, so
// a stall delays the requests that would have seen it and the stall vanishes
// from the percentiles ("coordinated omission"); an open loop keeps the
// arrivals coming and records the queueing.
//
// The pieces compose:
//
//   - Client sends one chat completion, plain or streamed, to a Target over
//     its own tuned transport, and classifies what went wrong.
//   - OpenLoop runs a Schedule against a Client; Interleaved runs it
//     against several in alternating slices, so that a disturbance on the
//     machine falls on all of them alike; RunStreams holds a number of
//     streams open.
//   - Search ramps an open-loop rate to find the highest one a target
//     sustains.
//   - Run does all three phases for two targets (direct and via) and
//     returns a Report, which WriteText prints as a table and
//     encoding/json as machine-readable results.
package loadgen
