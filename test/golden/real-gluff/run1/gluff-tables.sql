-- Gluff 1.12 table contents after real-Gluff golden run 1 (captured from MariaDB database gvrg_leases).
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
INSERT INTO `ips` (`id`,`value`) VALUES (1,'10.77.1.59');
INSERT INTO `ips` (`id`,`value`) VALUES (2,'10.77.1.60');
INSERT INTO `ips` (`id`,`value`) VALUES (3,'10.77.2.59');
INSERT INTO `ips` (`id`,`value`) VALUES (4,'10.77.2.58');
INSERT INTO `ips` (`id`,`value`) VALUES (5,'10.77.3.59');
INSERT INTO `ips` (`id`,`value`) VALUES (6,'10.77.3.60');
INSERT INTO `ips` (`id`,`value`) VALUES (7,'10.77.2.57');
INSERT INTO `ips` (`id`,`value`) VALUES (8,'10.77.3.58');
INSERT INTO `ips` (`id`,`value`) VALUES (9,'10.77.1.58');
INSERT INTO `ips` (`id`,`value`) VALUES (10,'10.77.1.61');
INSERT INTO `ips` (`id`,`value`) VALUES (11,'10.77.3.61');
INSERT INTO `ips` (`id`,`value`) VALUES (12,'10.77.1.57');
INSERT INTO `hws` (`id`,`value`) VALUES (1,'02:0a:00:77:01:01');
INSERT INTO `hws` (`id`,`value`) VALUES (2,'02:0a:00:77:02:02');
INSERT INTO `hws` (`id`,`value`) VALUES (3,'02:0a:00:77:03:03');
INSERT INTO `hws` (`id`,`value`) VALUES (4,'02:0a:00:77:04:04');
INSERT INTO `hws` (`id`,`value`) VALUES (5,'02:0a:00:77:05:05');
INSERT INTO `hws` (`id`,`value`) VALUES (6,'02:0a:00:77:05:06');
INSERT INTO `cids` (`id`,`value`) VALUES (1,'\"gvrgrp1\"');
INSERT INTO `cids` (`id`,`value`) VALUES (2,'\"gvrgrp2\"');
INSERT INTO `cids` (`id`,`value`) VALUES (3,'\"gvrgrp3\"');
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (1,1,'2026-11-28 03:39:55','2026-11-28 03:44:14',1,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (2,2,'2026-11-28 03:39:56','2026-11-28 03:43:22',2,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (3,3,'2026-11-28 03:39:57','2026-11-28 03:47:51',3,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (4,4,'2026-11-28 03:39:58','2026-11-28 03:48:38',4,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (5,5,'2026-11-28 03:39:59','2026-11-28 03:52:15',5,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (6,6,'2026-11-28 03:40:00','2026-11-28 03:52:25',6,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (7,7,'2026-11-28 03:43:12','2026-11-28 03:59:18',1,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (8,2,'2026-11-28 03:44:51','2026-11-28 03:55:44',2,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (9,8,'2026-11-28 03:46:51','2026-11-28 04:08:06',3,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (10,9,'2026-11-28 03:51:40','2026-11-28 03:59:01',5,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (11,10,'2026-11-28 03:52:16','2026-11-28 04:04:11',6,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (12,4,'2026-11-28 03:53:28','2026-11-28 04:03:42',4,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (13,9,'2026-11-28 03:51:10','2026-11-28 03:52:10',5,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (14,4,'2026-11-28 03:53:01','2026-11-28 03:54:01',4,2,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (15,11,'2026-11-28 03:54:44','2026-11-28 04:11:47',2,3,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (16,1,'2026-11-28 03:58:35','2026-11-28 04:11:45',1,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (17,9,'2026-11-28 03:59:01','2026-11-28 03:59:04',5,0,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (18,9,'2026-11-28 04:00:31','2026-11-28 04:11:49',5,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (19,12,'2026-11-28 04:02:41','2026-11-28 04:11:21',4,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (20,10,'2026-11-28 04:05:21','2026-11-28 04:11:22',6,1,0);
INSERT INTO `leases` (`id`,`ip`,`lstart`,`lend`,`hw`,`cid`,`rid`) VALUES (21,3,'2026-11-28 04:06:56','2026-11-28 04:11:57',3,2,0);
