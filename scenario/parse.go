package scenario

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Columns of a scenario row.
const (
	colSet = iota
	colTxn
	colLive
	colByzantine
	colAttacks
	numColumns
)

// ParseOptions configures parsing. The zero value uses DefaultReplicas and checks only the shape
// of operations.
type ParseOptions struct {
	// Replicas is n: replica names must lie in 1..n. Zero means DefaultReplicas.
	Replicas int
	// ValidateOp, if set, checks each operation text (for example with smallbank.ParseOp);
	// its error is reported with the file and line of the row.
	ValidateOp func(op string) error
}

// Parse reads a scenario file with the default options; name is used in error messages.
func Parse(r io.Reader, name string) (*File, error) { return ParseOptions{}.Parse(r, name) }

// ParseFile reads the scenario file at path with the default options.
func ParseFile(path string) (*File, error) { return ParseOptions{}.ParseFile(path) }

// ParseFile reads the scenario file at path.
func (o ParseOptions) ParseFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return o.Parse(f, path)
}

// Parse reads a scenario file from r; name is used in error messages. Every error is an *Error.
func (o ParseOptions) Parse(r io.Reader, name string) (*File, error) {
	if o.Replicas == 0 {
		o.Replicas = DefaultReplicas
	}
	if o.Replicas < 0 {
		return nil, &Error{File: name, Msg: fmt.Sprintf("replica count %d is negative", o.Replicas)}
	}
	p := &parser{opts: o, file: &File{Name: name}}
	err := forEachLine(r, p.row)
	if err == nil && len(p.file.Sets) == 0 {
		err = &Error{Msg: "no scenario sets (want rows like 1,\"(A, B, 1)\",\"[n1, n2]\",[],[])"}
	}
	var perr *Error
	if errors.As(err, &perr) {
		perr.File = name
		return nil, perr
	}
	if err != nil {
		return nil, &Error{File: name, Msg: err.Error()}
	}
	p.file.Warnings = checkSets(name, p.file.Sets)
	return p.file, nil
}

// parser holds the state between rows.
type parser struct {
	opts    ParseOptions
	file    *File
	seenRow bool // a non-blank row was seen (only the first may be a header)
}

// row handles one line of the file.
func (p *parser) row(line int, text string) error {
	cells, err := splitRow(text)
	if err != nil {
		return lineError(line, "%v", err)
	}
	if isBlank(cells) {
		return nil
	}
	if cells, err = normalizeColumns(cells); err != nil {
		return lineError(line, "%v", err)
	}
	if sep := otherSeparator(cells); sep != "" {
		return lineError(line, "cells are separated by commas, not %s: want rows like 1,\"(A, B, 1)\",\"[n1, n2]\",[],[]", sep)
	}
	first := !p.seenRow
	p.seenRow = true
	if first && isHeader(cells, p.opts.Replicas) {
		return nil
	}
	if cells[colSet] != "" {
		err = p.startSet(line, cells)
	} else {
		err = p.continueSet(line, cells)
	}
	if err != nil {
		return lineError(line, "%v", err)
	}
	return nil
}

// otherSeparator names the separator of a row written with semicolons or tabs instead of
// commas: all of it lands in the first cell, which a header check would otherwise skip
// ("no scenario sets" without naming the row). Empty for any other row.
func otherSeparator(cells []string) string {
	if slices.ContainsFunc(cells[1:], func(c string) bool { return c != "" }) {
		return ""
	}
	switch {
	case strings.Contains(cells[0], "\t"):
		return "tabs"
	case strings.Contains(cells[0], ";") && !strings.HasPrefix(strings.TrimSpace(cells[0]), "["):
		return "semicolons"
	}
	return ""
}

func isBlank(cells []string) bool {
	return !slices.ContainsFunc(cells, func(c string) bool { return c != "" })
}

// normalizeColumns pads a row to five cells; extra cells must be empty.
func normalizeColumns(cells []string) ([]string, error) {
	for i := numColumns; i < len(cells); i++ {
		if cells[i] != "" {
			return nil, fmt.Errorf("too many columns (%d), want at most %d: set, transaction, live, Byzantine, attacks",
				len(cells), numColumns)
		}
	}
	row := make([]string, numColumns)
	copy(row, cells)
	return row, nil
}

// isHeader tells whether the first row is a header such as "Set Number,Transactions,...":
// its first cell is not a set number, and its transaction cell is not a list of operations or
// (for titles such as "Transaction(s)" that look like one) its live cell is not a replica
// list. A first row such as "x,(A, B, 1),[n1],[],[]" stays data, refused for its set number.
func isHeader(cells []string, replicas int) bool {
	if validSetNumber(cells[colSet]) {
		return false
	}
	if cells[colTxn] == "" {
		return true
	}
	if _, err := splitOps(cells[colTxn]); err != nil {
		return true
	}
	_, err := parseReplicaList(cells[colLive], replicas, "live list")
	return cells[colSet] != "" && err != nil
}

// validSetNumber accepts tokens of letters, digits, '.', '_' and '-' that contain a digit.
func validSetNumber(s string) bool {
	if s == "" || len(s) > 32 || !strings.ContainsAny(s, "0123456789") {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("._-", r) && !('0' <= r && r <= '9') && !('a' <= r && r <= 'z') && !('A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// startSet begins a new set from a row whose first column is non-empty.
func (p *parser) startSet(line int, cells []string) error {
	if !validSetNumber(cells[colSet]) {
		return fmt.Errorf("invalid set number %q (want a number such as 1 or 10)", cells[colSet])
	}
	s, err := p.setColumns(cells)
	if err != nil {
		return err
	}
	s.Number, s.Line = cells[colSet], line
	p.file.Sets = append(p.file.Sets, s)
	if cells[colTxn] == "" {
		return nil
	}
	return p.addTxn(line, cells[colTxn])
}

// setColumns parses the live, Byzantine and attack columns of a row.
func (p *parser) setColumns(cells []string) (Set, error) {
	var s Set
	var err error
	n := p.opts.Replicas
	if s.Live, err = parseReplicaList(cells[colLive], n, "live list"); err != nil {
		return s, err
	}
	if s.Byzantine, err = parseReplicaList(cells[colByzantine], n, "Byzantine list"); err != nil {
		return s, err
	}
	s.Attacks, err = parseAttacks(cells[colAttacks], n)
	return s, err
}

// continueSet adds the transaction of a row whose first column is empty.
func (p *parser) continueSet(line int, cells []string) error {
	if len(p.file.Sets) == 0 {
		return errors.New("transaction row before any set (the first row of a set needs a set number)")
	}
	cur := &p.file.Sets[len(p.file.Sets)-1]
	if err := p.checkRepeatedColumns(cur, cells); err != nil {
		return err
	}
	if cells[colTxn] == "" {
		return errors.New("row has no transaction")
	}
	return p.addTxn(line, cells[colTxn])
}

// checkRepeatedColumns allows a continuation row to repeat its set's lists, but not to change them.
func (p *parser) checkRepeatedColumns(cur *Set, cells []string) error {
	if cells[colLive] == "" && cells[colByzantine] == "" && cells[colAttacks] == "" {
		return nil
	}
	s, err := p.setColumns(cells)
	if err != nil {
		return err
	}
	if !slices.Equal(s.Live, cur.Live) || !slices.Equal(s.Byzantine, cur.Byzantine) ||
		!slices.EqualFunc(s.Attacks, cur.Attacks, equalAttack) {
		return fmt.Errorf("row without a set number changes the lists of set %s (line %d); start a new set",
			cur.Number, cur.Line)
	}
	return nil
}

func equalAttack(a, b Attack) bool {
	return a.Name == b.Name && slices.Equal(a.Targets, b.Targets)
}

// addTxn parses a transaction cell into the current set.
func (p *parser) addTxn(line int, text string) error {
	ops, err := splitOps(text)
	if err != nil {
		return err
	}
	if p.opts.ValidateOp != nil {
		for _, op := range ops {
			if err := p.opts.ValidateOp(op); err != nil {
				return fmt.Errorf("operation %q: %v", op, err)
			}
		}
	}
	cur := &p.file.Sets[len(p.file.Sets)-1]
	cur.Txns = append(cur.Txns, Txn{Line: line, Text: text, Ops: ops})
	return nil
}
