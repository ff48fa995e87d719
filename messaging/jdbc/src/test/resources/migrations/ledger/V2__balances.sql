ALTER TABLE accounts ADD COLUMN balance INT DEFAULT 0 NOT NULL;
INSERT INTO accounts (id, owner, balance) VALUES ('house', 'the bank', 1000);
