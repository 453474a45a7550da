-- Gluff 1.12 table contents after real-Gluff golden run 3 (captured from MariaDB database gvrg_leases_run3).
-- Data only: create the tables first with specs/gluff-schema.sql (sql_mode='').
--
-- Time zone: Gluff bound its DHCP servers' LOCAL wall time (Europe/Stockholm) into TIMESTAMP columns
-- and never set a session time_zone, so the server took that wall time in its global default zone.
-- The values below are that column text exactly (dumped in a session on the server default zone,
-- which was UTC). Load them in a session on the server's global default zone (the SET below), the
-- zone gluff-verify's reader also uses: the column text then reads back exactly as Gluff wrote it
-- (03:39:55 here means 02:39:55Z).
SET SESSION sql_mode = '';
SET SESSION time_zone = @@GLOBAL.time_zone;
INSERT INTO `ips` (`id`,`value`) VALUES (1,'10.77.1.60');
INSERT INTO `ips` (`id`,`value`) VALUES (2,'10.77.1.59');
INSERT INTO `ips` (`id`,`value`) VALUES (3,'10.77.2.59');
INSERT INTO `ips` (`id`,`value`) VALUES (4,'10.77.2.58');
INSERT INTO `ips` (`id`,`value`) VALUES (5,'10.77.3.59');
INSERT INTO `ips` (`id`,`value`) VALUES (6,'10.77.3.60');
INSERT INTO `hws` (`id`,`value`) VALUES (1,'02:0a:00:77:02:02');
INSERT INTO `hws` (`id`,`value`) VALUES (2,'02:0a:00:77:01:01');
INSERT INTO `hws` (`id`,`value`) VALUES (3,'02:0a:00:77:03:03');
INSERT INTO `hws` (`id`,`value`) VALUES (4,'02:0a:00:77:04:04');
INSERT INTO `hws` (`id`,`value`) VALUES (5,'02:0a:00:77:05:05');
INSERT INTO `hws` (`id`,`value`) VALUES (6,'02:0a:00:77:05:06');
INSERT INTO `cids` (`id`,`value`) VALUES (1,'\"gvrgrp1\"');
INSERT INTO `cids` (`id`,`value`) VALUES (2,'\"gvrgrp2\"');
INSERT INTO `cids` (`id`,`value`) VALUES (3,'\"gvrgrp3\"');
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (1,1,'2026-11-28 04:25:46','2026-11-28 04:30:51',1,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (2,2,'2026-11-28 04:25:45','2026-11-28 04:27:36',2,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (3,3,'2026-11-28 04:25:47','2026-11-28 04:30:49',3,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (4,4,'2026-11-28 04:25:48','2026-11-28 04:30:54',4,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (5,5,'2026-11-28 04:25:49','2026-11-28 04:31:02',5,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (6,6,'2026-11-28 04:25:50','2026-11-28 04:31:01',6,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (7,2,'2026-11-28 04:28:31','2026-11-28 04:31:02',2,1,0);
