package control

import (
	"encoding/json"
)

// Response is one line from a child: the answer to the request with the same ID, or an event
// (ID 0). Data stays raw until the caller decodes it into the type of its command.
type Response struct {
	ID    int64           `json:"id"`
	OK    bool            `json:"ok"`
	Error string          `json:"error"`
	Data  json.RawMessage `json:"data"`
}
