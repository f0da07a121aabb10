package controlapi

// NewViewsData answers CmdNewViews.
type NewViewsData struct {
	NewViews []NewView `json:"new_views"`
}

// NewView is a NEW-VIEW message a replica sent or accepted: V (the view changes) and O (the
// pre-prepares computed from them).
type NewView struct {
	View        uint64       `json:"view"`
	ViewChanges []ViewChange `json:"view_changes"`
	PrePrepares []PrePrepare `json:"pre_prepares"`
}

// ViewChange is one VIEW-CHANGE inside a NEW-VIEW.
type ViewChange struct {
	Replica  int        `json:"replica"`
	Stable   uint64     `json:"stable"`
	Prepared []Prepared `json:"prepared"`
	Votes    []Vote     `json:"votes"`
}

// Prepared is a certificate (PREPARE-CERT or FULL-COMMIT-PROOF) reported for a slot.
type Prepared struct {
	Seq    uint64 `json:"seq"`
	View   uint64 `json:"view"`
	Type   string `json:"type"`
	Digest string `json:"digest"`
}

// Vote is a fast-path vote reported for a slot.
type Vote struct {
	Seq    uint64 `json:"seq"`
	View   uint64 `json:"view"`
	Digest string `json:"digest"`
}

// PrePrepare is one entry of O.
type PrePrepare struct {
	Seq      uint64 `json:"seq"`
	Digest   string `json:"digest"`
	Requests int    `json:"requests"`
	Noop     bool   `json:"noop"`
}
