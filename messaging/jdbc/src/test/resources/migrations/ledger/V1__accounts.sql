-- not idempotent on purpose: a second run would fail
CREATE TABLE accounts (
  id VARCHAR(64) PRIMARY KEY,
  owner VARCHAR(64) NOT NULL
);
