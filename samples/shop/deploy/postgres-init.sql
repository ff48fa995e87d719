-- the databases of the services that keep data (their tables are created by the services)
CREATE DATABASE orders;
CREATE DATABASE notifications;
