-- Runs once per database (Flyway, at start-up). IF NOT EXISTS only because databases of the shop's earlier
-- versions have this table already, created by the init script this migration replaced.
CREATE TABLE IF NOT EXISTS orders (
  id VARCHAR(64) PRIMARY KEY,
  customer VARCHAR(200) NOT NULL,
  sku VARCHAR(100) NOT NULL,
  quantity INT NOT NULL,
  status VARCHAR(20) NOT NULL
);
