CREATE TABLE audit (
  account_id VARCHAR(64) NOT NULL
);
