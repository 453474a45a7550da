-- Gluff 1.12 table contents after real-Gluff golden run 2 (captured from MariaDB database gvrg_leases_run2).
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
INSERT INTO `ips` (`id`,`value`) VALUES (1,'10.77.2.60');
INSERT INTO `ips` (`id`,`value`) VALUES (2,'10.77.2.59');
INSERT INTO `ips` (`id`,`value`) VALUES (3,'10.77.2.58');
INSERT INTO `ips` (`id`,`value`) VALUES (4,'10.77.2.57');
INSERT INTO `ips` (`id`,`value`) VALUES (5,'10.77.2.56');
INSERT INTO `ips` (`id`,`value`) VALUES (6,'10.77.2.61');
INSERT INTO `hws` (`id`,`value`) VALUES (1,'02:0a:00:77:02:02');
INSERT INTO `hws` (`id`,`value`) VALUES (2,'02:0a:00:77:01:01');
INSERT INTO `hws` (`id`,`value`) VALUES (3,'02:0a:00:77:03:03');
INSERT INTO `hws` (`id`,`value`) VALUES (4,'02:0a:00:77:04:04');
INSERT INTO `hws` (`id`,`value`) VALUES (5,'02:0a:00:77:05:05');
INSERT INTO `hws` (`id`,`value`) VALUES (6,'02:0a:00:77:05:06');
INSERT INTO `cids` (`id`,`value`) VALUES (1,'\"gvrgrp1\"');
INSERT INTO `cids` (`id`,`value`) VALUES (2,'\"gvrgrp2\"');
INSERT INTO `cids` (`id`,`value`) VALUES (3,'\"gvrgrp3\"');
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (1,1,'2026-11-28 04:12:59','2026-11-28 04:27:00',1,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (2,2,'2026-11-28 04:12:58','2026-11-28 04:17:48',2,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (3,3,'2026-11-28 04:13:00','2026-11-28 04:27:04',3,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (4,4,'2026-11-28 04:13:01','2026-11-28 04:26:13',4,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (5,5,'2026-11-28 04:13:02','2026-11-28 04:20:50',5,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (6,6,'2026-11-28 04:13:03','2026-11-28 04:26:21',6,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (7,2,'2026-11-28 04:15:13','2026-11-28 04:17:13',2,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (8,3,'2026-11-28 04:16:09','2026-11-28 04:18:09',3,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (9,2,'2026-11-28 04:17:48','2026-11-28 04:23:56',2,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (10,3,'2026-11-28 04:18:44','2026-11-28 04:20:44',3,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (11,6,'2026-11-28 04:20:38','2026-11-28 04:22:38',6,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (12,5,'2026-11-28 04:20:50','2026-11-28 04:26:11',5,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (13,3,'2026-11-28 04:21:34','2026-11-28 04:23:34',3,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (14,1,'2026-11-28 04:22:33','2026-11-28 04:24:33',1,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (15,6,'2026-11-28 04:23:27','2026-11-28 04:25:27',6,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (16,2,'2026-11-28 04:23:56','2026-11-28 04:24:45',2,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (17,2,'2026-11-28 04:23:56','2026-11-28 04:24:45',2,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (18,2,'2026-11-28 04:23:56','2026-11-28 04:24:45',2,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (19,3,'2026-11-28 04:24:09','2026-11-28 04:26:09',3,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (20,2,'2026-11-28 04:24:45','2026-11-28 04:26:45',2,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (21,2,'2026-11-28 04:24:45','2026-11-28 04:26:45',2,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (22,2,'2026-11-28 04:24:45','2026-11-28 04:26:45',2,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (23,1,'2026-11-28 04:25:00','2026-11-28 04:27:00',1,3,0);
