package slo

import (
	"math/big"
	"time"
)

// Severity is how urgent an alert is, in Sloth's terms.
type Severity string

// Severities.
const (
	// Page wakes someone up: the budget burns fast.
	Page Severity = "page"
	// Ticket can wait for working hours: the budget burns slowly.
	Ticket Severity = "ticket"
)

// Severities lists page then ticket.
func Severities() []Severity { return []Severity{Page, Ticket} }

// Window is one of the windows burn rates are reported over.
type Window struct {
	// Name is how metrics and Sloth's rules name it: 5m, 30m, 1h, 2h, 6h,
	// 1d, 3d.
	Name string
	// Minutes is its length.
	Minutes int
}

// Duration returns the window's length.
func (w Window) Duration() time.Duration { return time.Duration(w.Minutes) * time.Minute }

// Windows are the burn-rate windows, shortest first.
var Windows = []Window{{"5m", 5}, {"30m", 30}, {"1h", 60}, {"2h", 120}, {"6h", 360}, {"1d", 1440}, {"3d", 4320}}

// windowIndex returns the position of the window named name in Windows.
func windowIndex(name string) int {
	for i, w := range Windows {
		if w.Name == name {
			return i
		}
	}
	panic("slo: unknown window " + name)
}

// AlertWindow is one row of the workbook's multi-window, multi-burn-rate
// table: the alert fires when the burn rate is over Factor in both the
// long and the short window.
type AlertWindow struct {
	// Severity is page or ticket.
	Severity Severity
	// Speed is "quick" or "slow", as Sloth names the two rows of each
	// severity.
	Speed string
	// BudgetPercent is the share of the period's error budget the alert
	// means: burning at Factor for the long window spends this much.
	BudgetPercent int64
	// Long and Short index Windows.
	Long, Short int
}

// AlertWindows is the workbook's table, as Sloth ships it for 30d and 28d:
// page at 2% of the budget in 1h (short 5m) or 5% in 6h (30m), ticket at
// 10% in 1d (2h) or 10% in 3d (6h). Flywheel uses the same shares for 7d,
// so that an alert means the same share of the budget whatever the period.
var AlertWindows = []AlertWindow{
	{Page, "quick", 2, windowIndex("1h"), windowIndex("5m")},
	{Page, "slow", 5, windowIndex("6h"), windowIndex("30m")},
	{Ticket, "quick", 10, windowIndex("1d"), windowIndex("2h")},
	{Ticket, "slow", 10, windowIndex("3d"), windowIndex("6h")},
}

// Factor returns the burn-rate factor of the row for a period: the speed
// at which the row's share of the budget is spent in its long window,
// BudgetPercent/100 * period/long. For 30d: 14.4, 6, 3 and 1.
func (a AlertWindow) Factor(period time.Duration) float64 {
	f, _ := a.factor(period).Float64()
	return f
}

// factor is Factor exactly.
func (a AlertWindow) factor(period time.Duration) *big.Rat {
	return new(big.Rat).SetFrac(
		big.NewInt(a.BudgetPercent*int64(period/time.Minute)),
		big.NewInt(100*int64(Windows[a.Long].Minutes)))
}
