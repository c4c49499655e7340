package health

import "context"

// SQLPinger is the part of *sql.DB and *sql.Conn that SQLCheck uses.
type SQLPinger interface {
	PingContext(ctx context.Context) error
}

// SQLCheck returns a check that pings any database/sql database through db,
// which the caller owns.
func SQLCheck(db SQLPinger) CheckFunc {
	return func(ctx context.Context) Result {
		if err := db.PingContext(ctx); err != nil {
			return Failf("ping: %v", err)
		}
		return Result{Status: StatusPass}
	}
}
