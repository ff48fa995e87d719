INSERT INTO acounts (id) VALUES ('a-1');
