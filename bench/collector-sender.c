/*
 * Benchmark helper for collector.bench.ts: a second process that sends 110-byte RFC 3164 lines over
 * UDP at a precisely paced rate. Written in C because node:dgram costs ~5 us per send here, so a Node
 * sender cannot itself reach 200k msg/s on this 2-core machine; sendmmsg() batches of the messages due
 * by the monotonic clock keep the pacing within a millisecond.
 *
 * Usage: collector-sender HOST PORT RATE DURATION_MS RUN_ID
 * Prints: sent=N errors=E elapsed_ms=T
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define LINE 110

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s HOST PORT RATE DURATION_MS RUN_ID\n", argv[0]);
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  double rate = atof(argv[3]);
  double duration = atof(argv[4]);
  int run = atoi(argv[5]);
  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof ss);
  int fam = strchr(host, ':') ? AF_INET6 : AF_INET;
  if (fam == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, host, &a->sin6_addr);
    sl = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, host, &a->sin_addr);
    sl = sizeof *a;
  }
  int fd = socket(fam, SOCK_DGRAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0) {
    perror("socket/connect");
    return 1;
  }
  long total = (long)(rate * duration / 1000.0);
  static char bufs[BATCH][128];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  char head[LINE + 1];
  int hl = snprintf(head, sizeof head,
                    "<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 via 10.1.0.1 r%d s", run);
  long sent = 0, errors = 0;
  double start = now_ms();
  while (sent < total) {
    long due = (long)((now_ms() - start) * rate / 1000.0);
    if (due > total) due = total;
    if (due <= sent) {
      struct timespec pause = {0, 20000};
      nanosleep(&pause, NULL);
      continue;
    }
    while (sent < due) {
      int n = (int)(due - sent < BATCH ? due - sent : BATCH);
      for (int i = 0; i < n; i++) {
        snprintf(bufs[i], sizeof bufs[i], "%s%0*ld", head, LINE - hl, (sent + i) % 100000000L);
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = LINE;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      int k = sendmmsg(fd, msgs, n, 0);
      /* A failed sendmmsg (ENOBUFS) loses the batch: count it, never retry (the pacing would slip). */
      if (k < 0) {
        errors += n;
        sent += n;
      } else {
        sent += k;
      }
    }
  }
  double elapsed = now_ms() - start;
  printf("sent=%ld errors=%ld elapsed_ms=%.1f\n", sent - errors, errors, elapsed);
  close(fd);
  return 0;
}
