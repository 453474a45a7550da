/*
 * gv_udp: the collector's UDP receive path, a Node-API addon.
 *
 * Why it exists: node:dgram costs ~6 us of the event loop per datagram here (a callback, a Buffer and
 * an rinfo object with a fresh address string each), so on a 2-core machine the kernel dropped
 * datagrams above ~150k msg/s while the store still had time to spare (bench/collector.bench.ts).
 * Here a thread of our own reads the socket with recvmmsg() (up to 64 datagrams per system call) and
 * appends them to an in-memory batch; JavaScript takes them out with drain(), already packed the way
 * the store worker wants them (one byte buffer, end offsets, receive times, a small peer table), so
 * the event loop no longer touches each datagram.
 *
 * The receive thread never waits for JavaScript: when `maxHeld` datagrams (or 256 MiB) wait for
 * drain(), new ones are counted in `dropped` and discarded (the collector reports them as its own drops).
 *
 * Exports (the JS side is src/collect/udp-native.ts):
 *   open(family 4|6, host, port, rcvbufBytes, maxHeld, maxMessageBytes) -> handle
 *       binds (no SO_REUSEADDR: a second collector on the port fails), sets the receive buffer, starts
 *       the thread. Throws Error("bind: <strerror>") and the like, with .errno.
 *   info(handle) -> { port, rcvbuf }
 *   drain(handle, max) -> null | { data, ends, receivedMs, peers, peerIdx, cut }
 *       at most `max` datagrams, oldest first. data: ArrayBuffer of the datagrams back to back; ends:
 *       Uint32Array end offset of each; receivedMs: Float64Array (CLOCK_REALTIME when read); peers:
 *       string[] source addresses (inet_ntop, no port); peerIdx: Uint32Array into peers; cut: flat
 *       number[] of (index, original length) pairs for datagrams longer than maxMessageBytes, of which
 *       only the first maxMessageBytes bytes are kept.
 *   stats(handle) -> { received, dropped, errors, held, allocatedBytes, lastError }
 *   close(handle, drainMs) -> undefined
 *       stops the thread after it has read what the kernel already queued (for at most drainMs), then
 *       closes the socket. What was read stays available to drain().
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VLEN 64
/* Larger than any UDP payload (65507 bytes over IPv4, 65527 over IPv6), so nothing is truncated here. */
#define SLOT 65536
#define RECENT 4
/* Bytes held for drain() at most, whatever maxHeld says: 500k datagrams of 64 KiB would be 32 GB. */
#define MAX_HELD_BYTES ((size_t)256 << 20)
/* A drained batch holding more than this is freed rather than reused (it regrows when needed). */
#define SHRINK_BYTES ((size_t)8 << 20)
/* How long a blocked recvmmsg() waits before it looks at the stop flag again. */
#define POLL_MS 20
/*
 * After a call that found fewer than VLEN datagrams, wait this long before the next one. Otherwise, below
 * the rate that fills VLEN, every datagram wakes the thread on its own: measured ~4 us of system time per
 * datagram at 100k msg/s. 200 us lets them gather in the socket buffer (200 datagrams at 1M msg/s, well
 * within even Debian's default 208 KiB net.core.rmem_max) and adds at most 0.2 ms of latency.
 */
#define GATHER_US 200

typedef struct {
  uint8_t family; /* 4 or 6 */
  uint8_t addr[16];
} peer_t;

/* Datagrams read but not yet drained, packed column-wise. */
typedef struct {
  uint8_t *data;
  size_t data_len, data_cap;
  uint32_t *ends;
  double *recv_ms;
  uint32_t *peer_idx;
  size_t n, cap;
  peer_t *peers;
  size_t npeers, peers_cap;
  uint32_t *cut; /* pairs: index, original length */
  size_t ncut, cut_cap;
  /* Indices into peers of the last few distinct sources: most traffic comes from a handful. */
  int32_t recent[RECENT];
  int recent_next;
  /* Read cursor (the drained side only). */
  size_t pos, cut_pos;
} batch_t;

typedef struct {
  int fd;
  int family;
  uint32_t max_message_bytes;
  size_t max_held;
  pthread_t thread;
  int thread_started;
  pthread_mutex_t mu;
  atomic_int stop;
  atomic_llong stop_deadline_ms; /* CLOCK_MONOTONIC ms after which the closing drain gives up */
  batch_t live;                  /* appended to by the thread, under mu */
  batch_t taken;                 /* drained from by JavaScript, main thread only */
  uint64_t received, dropped, errors; /* under mu */
  int last_errno;                     /* under mu */
  int closed;
} rx_t;

static double realtime_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1e3 + (double)(ts.tv_nsec / 1000000);
}

static long long monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Grows *p (elements of `size` bytes) to hold at least `need`; 0 on out of memory. */
static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 1;
  size_t c = *cap ? *cap : 1024;
  while (c < need) c *= 2;
  void *q = realloc(*p, c * size);
  if (q == NULL) return 0;
  *p = q;
  *cap = c;
  return 1;
}

static void batch_clear(batch_t *b) {
  b->data_len = b->n = b->npeers = b->ncut = b->pos = b->cut_pos = 0;
  for (int i = 0; i < RECENT; i++) b->recent[i] = -1;
  b->recent_next = 0;
}

/* Bytes allocated for the batch's arrays. */
static size_t batch_bytes(const batch_t *b) {
  return b->data_cap + b->cap * (2 * sizeof(uint32_t) + sizeof(double)) + b->peers_cap * sizeof(peer_t) +
         b->cut_cap * sizeof(uint32_t);
}

static void batch_free(batch_t *b) {
  free(b->data);
  free(b->ends);
  free(b->recv_ms);
  free(b->peer_idx);
  free(b->peers);
  free(b->cut);
  memset(b, 0, sizeof *b);
}

static void peer_of(const struct sockaddr_storage *ss, peer_t *p) {
  memset(p, 0, sizeof *p);
  if (ss->ss_family == AF_INET6) {
    p->family = 6;
    memcpy(p->addr, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
  } else {
    p->family = 4;
    memcpy(p->addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
  }
}

/* Index of peer p in b->peers, adding it when it is not among the recent ones (a repeat entry is harmless). */
static int32_t batch_peer(batch_t *b, const peer_t *p) {
  for (int i = 0; i < RECENT; i++) {
    int32_t k = b->recent[i];
    if (k >= 0 && memcmp(&b->peers[k], p, sizeof *p) == 0) return k;
  }
  if (!grow((void **)&b->peers, &b->peers_cap, b->npeers + 1, sizeof(peer_t))) return -1;
  int32_t k = (int32_t)b->npeers++;
  b->peers[k] = *p;
  b->recent[b->recent_next] = k;
  b->recent_next = (b->recent_next + 1) % RECENT;
  return k;
}

/* Appends one datagram; 0 on out of memory. */
static int batch_add(batch_t *b, const uint8_t *bytes, uint32_t len, uint32_t keep, double ms, const peer_t *p) {
  if (!grow((void **)&b->data, &b->data_cap, b->data_len + keep, 1)) return 0;
  if (b->n + 1 > b->cap) {
    size_t c1 = b->cap, c2 = b->cap, c3 = b->cap;
    if (!grow((void **)&b->ends, &c1, b->n + 1, sizeof(uint32_t))) return 0;
    if (!grow((void **)&b->recv_ms, &c2, b->n + 1, sizeof(double))) return 0;
    if (!grow((void **)&b->peer_idx, &c3, b->n + 1, sizeof(uint32_t))) return 0;
    b->cap = c1;
  }
  if (keep < len) {
    if (!grow((void **)&b->cut, &b->cut_cap, b->ncut + 2, sizeof(uint32_t))) return 0;
    b->cut[b->ncut++] = (uint32_t)b->n;
    b->cut[b->ncut++] = len;
  }
  int32_t k = batch_peer(b, p);
  if (k < 0) return 0;
  memcpy(b->data + b->data_len, bytes, keep);
  b->data_len += keep;
  b->ends[b->n] = (uint32_t)b->data_len;
  b->recv_ms[b->n] = ms;
  b->peer_idx[b->n] = (uint32_t)k;
  b->n++;
  return 1;
}

static void *rx_main(void *arg) {
  rx_t *rx = arg;
  pthread_setname_np(pthread_self(), "gv-udp-recv"); /* what top -H and /proc/PID/task/TID/comm show */
  uint8_t *bufs = malloc((size_t)VLEN * SLOT);
  struct mmsghdr msgs[VLEN];
  struct iovec iov[VLEN];
  struct sockaddr_storage from[VLEN];
  if (bufs == NULL) {
    pthread_mutex_lock(&rx->mu);
    rx->errors++;
    rx->last_errno = ENOMEM;
    pthread_mutex_unlock(&rx->mu);
    return NULL;
  }
  for (int i = 0; i < VLEN; i++) {
    iov[i].iov_base = bufs + (size_t)i * SLOT;
    iov[i].iov_len = SLOT;
  }
  for (;;) {
    int stopping = atomic_load(&rx->stop);
    if (stopping && monotonic_ms() > atomic_load(&rx->stop_deadline_ms)) break;
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < VLEN; i++) {
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    /* Blocks (up to SO_RCVTIMEO) for the first datagram, then takes what is already queued. */
    int n = recvmmsg(rx->fd, msgs, VLEN, stopping ? MSG_DONTWAIT : MSG_WAITFORONE, NULL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (stopping) break; /* the queue is empty: done */
        continue;
      }
      if (errno == EINTR) continue;
      pthread_mutex_lock(&rx->mu);
      rx->errors++;
      rx->last_errno = errno;
      pthread_mutex_unlock(&rx->mu);
      if (errno == EBADF || errno == ENOTSOCK) break;
      struct timespec pause = {0, 1000000};
      nanosleep(&pause, NULL);
      continue;
    }
    double ms = realtime_ms();
    pthread_mutex_lock(&rx->mu);
    for (int i = 0; i < n; i++) {
      rx->received++;
      uint32_t len = msgs[i].msg_len;
      uint32_t keep = len > rx->max_message_bytes ? rx->max_message_bytes : len;
      if (rx->live.n >= rx->max_held || rx->live.data_len + keep > MAX_HELD_BYTES) {
        rx->dropped++;
        continue;
      }
      peer_t p;
      peer_of(&from[i], &p);
      if (!batch_add(&rx->live, bufs + (size_t)i * SLOT, len, keep, ms, &p)) {
        rx->dropped++;
        rx->errors++;
        rx->last_errno = ENOMEM;
      }
    }
    pthread_mutex_unlock(&rx->mu);
    if (n < VLEN && !stopping) {
      struct timespec gather = {0, GATHER_US * 1000};
      nanosleep(&gather, NULL);
    }
  }
  free(bufs);
  return NULL;
}

/* ---- Node-API glue ---- */

#define CALL(env, expr)                                                                            \
  do {                                                                                             \
    if ((expr) != napi_ok) {                                                                       \
      const napi_extended_error_info *info_;                                                       \
      napi_get_last_error_info((env), &info_);                                                     \
      napi_throw_error((env), "GV_INTERNAL", info_->error_message ? info_->error_message : #expr); \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

static napi_value fail(napi_env env, const char *what) {
  napi_throw_error(env, "GV_INTERNAL", what);
  return NULL;
}

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value text, error, code;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, NULL, text, &error);
  napi_create_int32(env, err, &code);
  napi_set_named_property(env, error, "errno", code);
  napi_throw(env, error);
  return NULL;
}

static void rx_stop(rx_t *rx, int drain_ms) {
  if (rx->closed) return;
  rx->closed = 1;
  if (rx->thread_started) {
    atomic_store(&rx->stop_deadline_ms, monotonic_ms() + drain_ms);
    atomic_store(&rx->stop, 1);
    pthread_join(rx->thread, NULL);
    rx->thread_started = 0;
  }
  if (rx->fd >= 0) close(rx->fd);
  rx->fd = -1;
}

static void rx_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  rx_t *rx = data;
  rx_stop(rx, 0);
  batch_free(&rx->live);
  batch_free(&rx->taken);
  pthread_mutex_destroy(&rx->mu);
  free(rx);
}

static rx_t *get_rx(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, "GV_INTERNAL", "not a gv_udp handle");
    return NULL;
  }
  return p;
}

/* The handle in argv[0] and up to *argc arguments in all (fewer when the caller passed fewer); NULL after throwing. */
static rx_t *handle_args(napi_env env, napi_callback_info info, napi_value *argv, size_t *argc) {
  if (napi_get_cb_info(env, info, argc, argv, NULL, NULL) != napi_ok || *argc < 1) {
    napi_throw_type_error(env, "GV_INTERNAL", "expected a gv_udp handle");
    return NULL;
  }
  return get_rx(env, argv[0]);
}

/* obj[name] = a number; 0 after throwing. */
static int set_number(napi_env env, napi_value obj, const char *name, double value) {
  napi_value v;
  if (napi_create_double(env, value, &v) != napi_ok || napi_set_named_property(env, obj, name, v) != napi_ok) {
    napi_throw_error(env, "GV_INTERNAL", "cannot set a result property");
    return 0;
  }
  return 1;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, "GV_INTERNAL", "open(family, host, port, rcvbuf, maxHeld, maxMessageBytes)");
    return NULL;
  }
  int32_t family, port;
  int64_t rcvbuf, max_held;
  uint32_t max_bytes;
  char host[64];
  size_t host_len;
  CALL(env, napi_get_value_int32(env, argv[0], &family));
  CALL(env, napi_get_value_string_utf8(env, argv[1], host, sizeof host, &host_len));
  CALL(env, napi_get_value_int32(env, argv[2], &port));
  CALL(env, napi_get_value_int64(env, argv[3], &rcvbuf));
  CALL(env, napi_get_value_int64(env, argv[4], &max_held));
  CALL(env, napi_get_value_uint32(env, argv[5], &max_bytes));

  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof ss);
  if (family == 6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) return throw_errno(env, "not an IPv6 address", EINVAL);
    sl = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return throw_errno(env, "not an IPv4 address", EINVAL);
    sl = sizeof *a;
  }
  int fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  if (family == 6) {
    int off = 0; /* [::] receives IPv4 too, as ::ffff:a.b.c.d, whatever net.ipv6.bindv6only says */
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  }
  if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "bind", e);
  }
  if (rcvbuf > 0) {
    int want = rcvbuf > 0x3fffffff ? 0x3fffffff : (int)rcvbuf;
    /* SO_RCVBUFFORCE passes net.core.rmem_max when we may (CAP_NET_ADMIN); otherwise the capped one. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) < 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
  }
  struct timeval tv = {0, POLL_MS * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  rx_t *rx = calloc(1, sizeof *rx);
  if (rx == NULL) {
    close(fd);
    return throw_errno(env, "open", ENOMEM);
  }
  rx->fd = fd;
  rx->family = family;
  rx->max_message_bytes = max_bytes;
  rx->max_held = max_held > 0 ? (size_t)max_held : 1;
  pthread_mutex_init(&rx->mu, NULL);
  batch_clear(&rx->live);
  batch_clear(&rx->taken);
  int e = pthread_create(&rx->thread, NULL, rx_main, rx);
  if (e != 0) {
    close(fd);
    pthread_mutex_destroy(&rx->mu);
    free(rx);
    return throw_errno(env, "pthread_create", e);
  }
  rx->thread_started = 1;
  napi_value handle;
  if (napi_create_external(env, rx, rx_finalize, NULL, &handle) != napi_ok) {
    rx_finalize(env, rx, NULL);
    napi_throw_error(env, "GV_INTERNAL", "napi_create_external failed");
    return NULL;
  }
  return handle;
}

static napi_value js_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  rx_t *rx = handle_args(env, info, argv, &argc);
  if (rx == NULL) return NULL;
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  int port = 0, rcvbuf = 0;
  socklen_t il = sizeof rcvbuf;
  if (rx->fd >= 0 && getsockname(rx->fd, (struct sockaddr *)&ss, &sl) == 0)
    port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                          : ((struct sockaddr_in *)&ss)->sin_port);
  if (rx->fd >= 0) getsockopt(rx->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &il);
  napi_value out;
  CALL(env, napi_create_object(env, &out));
  if (!set_number(env, out, "port", port) || !set_number(env, out, "rcvbuf", rcvbuf)) return NULL;
  return out;
}

/* A typed array of `count` elements copied from `src`. */
static napi_value copy_typed(napi_env env, napi_typedarray_type type, size_t elem, const void *src, size_t count) {
  void *dst;
  napi_value ab, ta;
  if (napi_create_arraybuffer(env, count * elem, &dst, &ab) != napi_ok) return NULL;
  if (count > 0) memcpy(dst, src, count * elem);
  if (napi_create_typedarray(env, type, count, ab, 0, &ta) != napi_ok) return NULL;
  return ta;
}

static napi_value js_drain(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  rx_t *rx = handle_args(env, info, argv, &argc);
  if (rx == NULL) return NULL;
  uint32_t max = 1000;
  if (argc > 1) CALL(env, napi_get_value_uint32(env, argv[1], &max));
  if (max == 0) max = 1;
  batch_t *t = &rx->taken;
  if (t->pos >= t->n) {
    /* Swap the live batch out: the thread goes on appending to the (cleared) old one. */
    pthread_mutex_lock(&rx->mu);
    batch_t spare = *t;
    *t = rx->live;
    rx->live = spare;
    /* A burst grew these arrays; give the memory back rather than keep it for the rest of a soak. */
    if (batch_bytes(&rx->live) > SHRINK_BYTES) batch_free(&rx->live);
    batch_clear(&rx->live);
    pthread_mutex_unlock(&rx->mu);
  }
  napi_value null_value;
  CALL(env, napi_get_null(env, &null_value));
  if (t->pos >= t->n) return null_value;

  size_t a = t->pos, b = t->n - a > max ? a + max : t->n;
  size_t base = a == 0 ? 0 : t->ends[a - 1];
  size_t bytes = t->ends[b - 1] - base;
  size_t count = b - a;

  napi_value out, data, ends, recv, peers, peer_idx, cut;
  CALL(env, napi_create_object(env, &out));
  void *dst;
  CALL(env, napi_create_arraybuffer(env, bytes, &dst, &data));
  memcpy(dst, t->data + base, bytes);

  uint32_t *rel_ends;
  napi_value ends_ab;
  CALL(env, napi_create_arraybuffer(env, count * sizeof(uint32_t), (void **)&rel_ends, &ends_ab));
  for (size_t i = 0; i < count; i++) rel_ends[i] = (uint32_t)(t->ends[a + i] - base);
  CALL(env, napi_create_typedarray(env, napi_uint32_array, count, ends_ab, 0, &ends));

  recv = copy_typed(env, napi_float64_array, sizeof(double), t->recv_ms + a, count);
  if (recv == NULL) return fail(env, "drain: cannot create receivedMs");

  /* Peers this chunk uses, renumbered in order of first use. */
  int32_t *remap = malloc(t->npeers * sizeof(int32_t) + 1);
  if (remap == NULL) return throw_errno(env, "drain", ENOMEM);
  for (size_t i = 0; i < t->npeers; i++) remap[i] = -1;
  uint32_t *idx;
  napi_value idx_ab;
  if (napi_create_arraybuffer(env, count * sizeof(uint32_t), (void **)&idx, &idx_ab) != napi_ok) {
    free(remap);
    return fail(env, "drain: cannot create peerIdx");
  }
  if (napi_create_array(env, &peers) != napi_ok) {
    free(remap);
    return fail(env, "drain: cannot create peers");
  }
  uint32_t npeers = 0;
  for (size_t i = 0; i < count; i++) {
    uint32_t g = t->peer_idx[a + i];
    if (remap[g] < 0) {
      char text[INET6_ADDRSTRLEN];
      const peer_t *p = &t->peers[g];
      inet_ntop(p->family == 6 ? AF_INET6 : AF_INET, p->addr, text, sizeof text);
      napi_value s;
      if (napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &s) != napi_ok ||
          napi_set_element(env, peers, npeers, s) != napi_ok) {
        free(remap);
        return fail(env, "drain: cannot create a peer string");
      }
      remap[g] = (int32_t)npeers++;
    }
    idx[i] = (uint32_t)remap[g];
  }
  free(remap);
  CALL(env, napi_create_typedarray(env, napi_uint32_array, count, idx_ab, 0, &peer_idx));

  CALL(env, napi_create_array(env, &cut));
  uint32_t k = 0;
  while (t->cut_pos < t->ncut && t->cut[t->cut_pos] < b) {
    napi_value i_v, len_v;
    CALL(env, napi_create_uint32(env, (uint32_t)(t->cut[t->cut_pos] - a), &i_v));
    CALL(env, napi_create_uint32(env, t->cut[t->cut_pos + 1], &len_v));
    CALL(env, napi_set_element(env, cut, k++, i_v));
    CALL(env, napi_set_element(env, cut, k++, len_v));
    t->cut_pos += 2;
  }
  t->pos = b;

  CALL(env, napi_set_named_property(env, out, "data", data));
  CALL(env, napi_set_named_property(env, out, "ends", ends));
  CALL(env, napi_set_named_property(env, out, "receivedMs", recv));
  CALL(env, napi_set_named_property(env, out, "peers", peers));
  CALL(env, napi_set_named_property(env, out, "peerIdx", peer_idx));
  CALL(env, napi_set_named_property(env, out, "cut", cut));
  return out;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  rx_t *rx = handle_args(env, info, argv, &argc);
  if (rx == NULL) return NULL;
  pthread_mutex_lock(&rx->mu);
  double received = (double)rx->received, dropped = (double)rx->dropped, errors = (double)rx->errors;
  double held = (double)(rx->live.n + (rx->taken.n - rx->taken.pos));
  double allocated = (double)(batch_bytes(&rx->live) + batch_bytes(&rx->taken));
  int last = rx->last_errno;
  pthread_mutex_unlock(&rx->mu);
  napi_value out, v;
  CALL(env, napi_create_object(env, &out));
  if (!set_number(env, out, "received", received) || !set_number(env, out, "dropped", dropped) ||
      !set_number(env, out, "errors", errors) || !set_number(env, out, "held", held) ||
      !set_number(env, out, "allocatedBytes", allocated))
    return NULL;
  if (last != 0) {
    CALL(env, napi_create_string_utf8(env, strerror(last), NAPI_AUTO_LENGTH, &v));
  } else {
    CALL(env, napi_get_null(env, &v));
  }
  CALL(env, napi_set_named_property(env, out, "lastError", v));
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  rx_t *rx = handle_args(env, info, argv, &argc);
  if (rx == NULL) return NULL;
  int32_t drain_ms = 1000;
  if (argc > 1) CALL(env, napi_get_value_int32(env, argv[1], &drain_ms));
  rx_stop(rx, drain_ms < 0 ? 0 : drain_ms);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, js_info, NULL, NULL, NULL, napi_default, NULL},
      {"drain", NULL, js_drain, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(gv_udp, init)
