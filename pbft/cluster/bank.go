package cluster

import (
	"fmt"
	"slices"

	"github.com/bftbank/pbft/smallbank"
)

// NewBank builds the initial state every replica starts from: the configured accounts with
// their owners and balances, the generated benchmark accounts, and the roles.
func (c *Config) NewBank() (*smallbank.Bank, error) {
	bank := smallbank.NewBank()
	for _, a := range c.Accounts {
		if err := bank.OpenOwned(a.Name, c.OwnerOf(a.Name), a.Checking, a.Savings); err != nil {
			return nil, err
		}
	}
	if l := c.LoadAccounts; l != nil {
		if err := bank.LoadAccounts(l.Count, l.Min, l.Max, l.Seed); err != nil {
			return nil, fmt.Errorf("load_accounts: %w", err)
		}
	}
	for role, clients := range c.Roles {
		for _, cl := range clients {
			if err := bank.Grant(role, cl); err != nil {
				return nil, fmt.Errorf("roles: %w", err)
			}
		}
	}
	return bank, nil
}

// OwnerOf is the owner of an account as the configuration opens it: the owner listed in
// accounts, else the client of the account's own name (scenario accounts A..J and the
// generated benchmark accounts are owned by the clients of the same names).
func (c *Config) OwnerOf(account string) string {
	for _, a := range c.Accounts {
		if a.Name == account && a.Owner != "" {
			return a.Owner
		}
	}
	return account
}

// HasRole reports whether the configuration grants client the role.
func (c *Config) HasRole(client, role string) bool {
	return slices.Contains(c.Roles[role], client)
}

// Authorize reports, as the replicas will decide it, whether client may run op: an operation
// that debits an account needs its owner or a teller (smallbank.Op.Debits). The error says who
// may. It knows the accounts of the configuration only, not their later balances.
func (c *Config) Authorize(client string, op smallbank.Op) error {
	account, debits := op.Debits()
	if !debits {
		return nil
	}
	owner := c.OwnerOf(account)
	if client == owner || c.HasRole(client, smallbank.RoleTeller) {
		return nil
	}
	return fmt.Errorf("client %s may not debit account %s: only its owner %s or a %s may (%s)",
		client, account, owner, smallbank.RoleTeller, op)
}
