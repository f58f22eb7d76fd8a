/*
 * Plenum's native media helpers: the two per-packet costs of forwarding that
 * Node's own APIs cannot make cheap (bench/RESULTS.md, "Where the time goes").
 *
 * - SRTP ciphers with a context per session key, reused for every packet.
 *   Node's crypto API has no way to give an existing cipher a new IV, so
 *   AEAD_AES_128_GCM costs a new OpenSSL context per packet from JavaScript;
 *   here EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) only resets the IV.
 *   AES_CM_128_HMAC_SHA1_80 likewise: one AES-CTR context and one keyed HMAC
 *   (OpenSSL 3's EVP_MAC) per key, re-initialised per packet: with a NULL key
 *   EVP_MAC_init keeps the key's precomputed inner and outer pads.
 * - A synchronous sendto() on the UDP socket's own descriptor. Node's
 *   dgram.send goes through argument checks, a DNS lookup step (deferred to
 *   the next tick even for an IP literal), a request object and libuv for
 *   every datagram; the datagram and the syscall are the same.
 *
 * OpenSSL is the one inside the Node binary (its symbols are exported and
 * its headers ship with Node), so there is nothing else to install.
 * Everything here works in place on buffers owned by JavaScript and keeps no
 * reference to them after returning.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, NULL, "plenum_media: N-API call failed");      \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* ---- arguments ---------------------------------------------------------- */

static int get_buffer(napi_env env, napi_value value, unsigned char **data, size_t *length) {
  bool is_buffer = false;
  if (napi_is_buffer(env, value, &is_buffer) != napi_ok || !is_buffer) return 0;
  return napi_get_buffer_info(env, value, (void **)data, length) == napi_ok;
}

static int get_u32(napi_env env, napi_value value, uint32_t *out) {
  return napi_get_value_uint32(env, value, out) == napi_ok;
}

static int get_i32(napi_env env, napi_value value, int32_t *out) {
  return napi_get_value_int32(env, value, out) == napi_ok;
}

/* ---- cipher contexts ---------------------------------------------------- */

typedef enum { KIND_GCM = 1, KIND_CTR = 2 } cipher_kind;

typedef struct {
  cipher_kind kind;
  EVP_CIPHER_CTX *encrypt;
  EVP_CIPHER_CTX *decrypt;
  EVP_MAC_CTX *hmac; /* keyed once (CTR only); re-initialised per packet */
} cipher_state;

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  cipher_state *s = data;
  EVP_CIPHER_CTX_free(s->encrypt);
  EVP_CIPHER_CTX_free(s->decrypt);
  EVP_MAC_CTX_free(s->hmac);
  free(s);
}

static cipher_state *get_state(napi_env env, napi_value value, cipher_kind kind) {
  cipher_state *s = NULL;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external) return NULL;
  if (napi_get_value_external(env, value, (void **)&s) != napi_ok || !s || s->kind != kind)
    return NULL;
  return s;
}

static napi_value wrap_state(napi_env env, cipher_state *s) {
  napi_value result;
  if (napi_create_external(env, s, free_state, NULL, &result) != napi_ok) {
    free_state(env, s, NULL);
    return throw_error(env, "plenum_media: cannot wrap cipher state");
  }
  return result;
}

/* gcmCreate(key: Buffer(16)): External */
static napi_value gcm_create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  unsigned char *key;
  size_t key_length;
  if (argc < 1 || !get_buffer(env, argv[0], &key, &key_length) || key_length != 16)
    return throw_error(env, "gcmCreate: key must be a 16-byte Buffer");
  cipher_state *s = calloc(1, sizeof *s);
  if (!s) return throw_error(env, "gcmCreate: out of memory");
  s->kind = KIND_GCM;
  s->encrypt = EVP_CIPHER_CTX_new();
  s->decrypt = EVP_CIPHER_CTX_new();
  if (!s->encrypt || !s->decrypt ||
      EVP_EncryptInit_ex(s->encrypt, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1 ||
      EVP_CIPHER_CTX_ctrl(s->encrypt, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
      EVP_EncryptInit_ex(s->encrypt, NULL, NULL, key, NULL) != 1 ||
      EVP_DecryptInit_ex(s->decrypt, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1 ||
      EVP_CIPHER_CTX_ctrl(s->decrypt, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
      EVP_DecryptInit_ex(s->decrypt, NULL, NULL, key, NULL) != 1) {
    free_state(env, s, NULL);
    return throw_error(env, "gcmCreate: OpenSSL refused the key");
  }
  return wrap_state(env, s);
}

/* The arguments of gcmSeal and gcmOpen: (state, packet, aadLength, iv: Buffer(12)). */
typedef struct {
  cipher_state *state;
  unsigned char *packet, *iv;
  size_t length;
  uint32_t aad;
} gcm_call;

static int gcm_args(napi_env env, napi_callback_info info, gcm_call *call) {
  size_t argc = 4, iv_length = 0;
  napi_value argv[4];
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 4 &&
         (call->state = get_state(env, argv[0], KIND_GCM)) != NULL &&
         get_buffer(env, argv[1], &call->packet, &call->length) &&
         get_u32(env, argv[2], &call->aad) && get_buffer(env, argv[3], &call->iv, &iv_length) &&
         iv_length == 12 && call->length >= (size_t)call->aad + 16;
}

/*
 * gcmSeal(state, packet, aadLength, iv: Buffer(12)): undefined
 * packet = AAD (the RTP header) ‖ plaintext ‖ 16 bytes for the tag; the
 * plaintext is encrypted in place and the tag written after it.
 */
static napi_value gcm_seal(napi_env env, napi_callback_info info) {
  gcm_call c;
  if (!gcm_args(env, info, &c)) return throw_error(env, "gcmSeal: bad arguments");
  EVP_CIPHER_CTX *ctx = c.state->encrypt;
  unsigned char *text = c.packet + c.aad;
  int plain = (int)(c.length - c.aad - 16), out = 0, tail = 0;
  if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, c.iv) != 1 ||
      EVP_EncryptUpdate(ctx, NULL, &out, c.packet, (int)c.aad) != 1 ||
      EVP_EncryptUpdate(ctx, text, &out, text, plain) != 1 ||
      EVP_EncryptFinal_ex(ctx, text + out, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, c.packet + c.length - 16) != 1)
    return throw_error(env, "gcmSeal: OpenSSL failed");
  return NULL;
}

/*
 * gcmOpen(state, packet, aadLength, iv: Buffer(12)): boolean
 * packet = AAD ‖ ciphertext ‖ tag; the ciphertext is decrypted in place.
 * false (and the packet's contents undefined) when the tag does not match.
 */
static napi_value gcm_open(napi_env env, napi_callback_info info) {
  gcm_call c;
  if (!gcm_args(env, info, &c)) return throw_error(env, "gcmOpen: bad arguments");
  EVP_CIPHER_CTX *ctx = c.state->decrypt;
  unsigned char *text = c.packet + c.aad;
  int sealed = (int)(c.length - c.aad - 16), out = 0, tail = 0;
  int ok = EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, c.iv) == 1 &&
           EVP_DecryptUpdate(ctx, NULL, &out, c.packet, (int)c.aad) == 1 &&
           EVP_DecryptUpdate(ctx, text, &out, text, sealed) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, c.packet + c.length - 16) == 1 &&
           EVP_DecryptFinal_ex(ctx, text + out, &tail) == 1;
  napi_value result;
  CHECK(napi_get_boolean(env, ok, &result));
  return result;
}

/* ctrCreate(key: Buffer(16), authKey: Buffer(20)): External */
static napi_value ctr_create(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  unsigned char *key, *auth;
  size_t key_length, auth_length;
  if (argc < 2 || !get_buffer(env, argv[0], &key, &key_length) || key_length != 16 ||
      !get_buffer(env, argv[1], &auth, &auth_length) || auth_length == 0)
    return throw_error(env, "ctrCreate: a 16-byte key and an authentication key are needed");
  cipher_state *s = calloc(1, sizeof *s);
  if (!s) return throw_error(env, "ctrCreate: out of memory");
  s->kind = KIND_CTR;
  s->encrypt = EVP_CIPHER_CTX_new();
  /* The context holds its own reference to the algorithm. */
  EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  s->hmac = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
  EVP_MAC_free(hmac);
  OSSL_PARAM sha1[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0),
                       OSSL_PARAM_construct_end()};
  if (!s->encrypt || !s->hmac ||
      EVP_EncryptInit_ex(s->encrypt, EVP_aes_128_ctr(), NULL, key, NULL) != 1 ||
      EVP_MAC_init(s->hmac, auth, auth_length, sha1) != 1) {
    free_state(env, s, NULL);
    return throw_error(env, "ctrCreate: OpenSSL refused the key");
  }
  return wrap_state(env, s);
}

/*
 * ctrXor(state, data, from, to, counter: Buffer(16)): undefined
 * XORs the AES-CTR keystream starting at `counter` into data[from, to).
 */
static napi_value ctr_xor(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  cipher_state *s;
  unsigned char *data, *counter;
  size_t length, counter_length;
  uint32_t from, to;
  if (argc < 5 || !(s = get_state(env, argv[0], KIND_CTR)) ||
      !get_buffer(env, argv[1], &data, &length) || !get_u32(env, argv[2], &from) ||
      !get_u32(env, argv[3], &to) || !get_buffer(env, argv[4], &counter, &counter_length) ||
      counter_length != 16 || from > to || to > length)
    return throw_error(env, "ctrXor: bad arguments");
  int out = 0;
  if (EVP_EncryptInit_ex(s->encrypt, NULL, NULL, NULL, counter) != 1 ||
      EVP_EncryptUpdate(s->encrypt, data + from, &out, data + from, (int)(to - from)) != 1)
    return throw_error(env, "ctrXor: OpenSSL failed");
  return NULL;
}

/*
 * ctrTag(state, data, length, roc, out, outOffset): undefined
 * HMAC-SHA1(authKey, data[0, length) ‖ ROC), truncated to 10 bytes, written
 * at out[outOffset] (RFC 3711 section 4.2).
 */
static napi_value ctr_tag(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  cipher_state *s;
  unsigned char *data, *out;
  size_t data_length, out_length;
  uint32_t length, roc, offset;
  if (argc < 6 || !(s = get_state(env, argv[0], KIND_CTR)) ||
      !get_buffer(env, argv[1], &data, &data_length) || !get_u32(env, argv[2], &length) ||
      !get_u32(env, argv[3], &roc) || !get_buffer(env, argv[4], &out, &out_length) ||
      !get_u32(env, argv[5], &offset) || length > data_length || offset > out_length ||
      out_length - offset < 10) /* not offset + 10: that wraps in 32 bits */
    return throw_error(env, "ctrTag: bad arguments");
  unsigned char roc_bytes[4] = {roc >> 24, roc >> 16, roc >> 8, roc};
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_length = 0;
  if (EVP_MAC_init(s->hmac, NULL, 0, NULL) != 1 || EVP_MAC_update(s->hmac, data, length) != 1 ||
      EVP_MAC_update(s->hmac, roc_bytes, 4) != 1 ||
      EVP_MAC_final(s->hmac, mac, &mac_length, sizeof mac) != 1 || mac_length < 10)
    return throw_error(env, "ctrTag: OpenSSL failed");
  memcpy(out + offset, mac, 10);
  return NULL;
}

/* ---- sending ------------------------------------------------------------ */

/*
 * sendTo(fd, data, port, host): number
 * One datagram, now. Returns the bytes sent, or -errno (-EAGAIN when the
 * socket's buffer is full: the caller falls back to Node's queueing send).
 */
static napi_value send_to(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  uint32_t port;
  unsigned char *data;
  size_t length, host_length;
  char host[64];
  if (argc < 4 || !get_i32(env, argv[0], &fd) || !get_buffer(env, argv[1], &data, &length) ||
      !get_u32(env, argv[2], &port) || port > 65535 ||
      napi_get_value_string_utf8(env, argv[3], host, sizeof host, &host_length) != napi_ok)
    return throw_error(env, "sendTo: bad arguments");
  struct sockaddr_storage address;
  socklen_t address_length;
  memset(&address, 0, sizeof address);
  struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    address_length = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    address_length = sizeof *v6;
  } else {
    return throw_error(env, "sendTo: host is not an IP address");
  }
  ssize_t sent;
  do {
    sent = sendto(fd, data, length, MSG_DONTWAIT, (struct sockaddr *)&address, address_length);
  } while (sent < 0 && errno == EINTR);
  napi_value result;
  CHECK(napi_create_int32(env, sent < 0 ? -errno : (int32_t)sent, &result));
  return result;
}

/* ---- module ------------------------------------------------------------- */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"gcmCreate", NULL, gcm_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gcmSeal", NULL, gcm_seal, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gcmOpen", NULL, gcm_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ctrCreate", NULL, ctr_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ctrXor", NULL, ctr_xor, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ctrTag", NULL, ctr_tag, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendTo", NULL, send_to, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof properties / sizeof *properties, properties));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
