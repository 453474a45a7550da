-- Gluff's MySQL/MariaDB tables (database usually `dhcpd_leases`), as Gluff 1.12's own install
-- script creates them. Facts from the public Gluff source; formatting and notes are ours.
-- gluff-verify only ever reads these tables (SELECT); it checks that every table and column below
-- exists and otherwise stops with GV_MYSQL_SCHEMA.
--
-- The TIMESTAMP defaults are the zero date, which the strict SQL modes of current servers reject
-- ("Invalid default value for 'lstart'"). Old installs ran with a permissive mode, so create the
-- tables with the session's sql_mode relaxed as below.
--
-- Time zone: Gluff binds the DHCP server's LOCAL wall time (localtime()) and never sets the session
-- time_zone, so the server converts that wall time from its own default time_zone to UTC for storage.
-- Reading back in the same session time_zone gives the wall time Gluff wrote; gluff-verify does
-- exactly that (see src/sources/mysql/gluff-reader.ts). Older installs used DATETIME for lstart/lend,
-- which stores the wall time as is; the reader handles both.

SET SESSION sql_mode = '';

-- Lookup tables: a value is looked up by its text and inserted when missing. There is no row 0:
-- id 0 in `leases` means "absent" (no circuit-id / remote-id).
CREATE TABLE `ips` (
  `id`    INT(11)     NOT NULL AUTO_INCREMENT,
  `value` VARCHAR(63)          DEFAULT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `hws` (
  `id`    INT(11)     NOT NULL AUTO_INCREMENT,
  `value` VARCHAR(63)          DEFAULT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `cids` (
  `id`    INT(11)     NOT NULL AUTO_INCREMENT,
  `value` VARCHAR(63)          DEFAULT NULL,
  PRIMARY KEY (`id`)
);

CREATE TABLE `rids` (
  `id`    INT(11)     NOT NULL AUTO_INCREMENT,
  `value` VARCHAR(63)          DEFAULT NULL,
  PRIMARY KEY (`id`)
);

-- One row per continuous lease of one address to one (hw, circuit-id, remote-id).
-- ip/hw/cid/rid are ids into the lookup tables; lend moves forward with each renewal.
CREATE TABLE `leases` (
  `id`     INT(11)   NOT NULL AUTO_INCREMENT,
  `ip`     INT(11)   NOT NULL DEFAULT '0',
  `lstart` TIMESTAMP NOT NULL DEFAULT '0000-00-00 00:00:00',
  `lend`   TIMESTAMP NOT NULL DEFAULT '0000-00-00 00:00:00',
  `hw`     INT(11)            DEFAULT NULL,
  `cid`    INT(11)            DEFAULT NULL,
  `rid`    INT(11)            DEFAULT NULL,
  PRIMARY KEY (`id`)
);
