-- a service's own tables, created when the database is first reached
CREATE TABLE IF NOT EXISTS ledger_entries (
  id INT PRIMARY KEY,
  amount BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_entries_amount ON ledger_entries (amount);
