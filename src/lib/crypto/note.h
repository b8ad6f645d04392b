/*
 * note.h - C2SP signed notes, tlog checkpoints and verifier keys.
 *
 *   checkpoint body:  <origin>\n<decimal size>\n<base64 root>\n
 *   signed note:      <body>\n— <key name> <base64(key id[4] || sig[64])>\n
 *   key id:           SHA-256(<key name> || 0x0A || 0x01 || public key)[0:4]
 *   vkey:             <key name>+<8 hex key id>+<base64(0x01 || public key)>
 *
 * The key name is the log's origin, "scrvault.local/<vault id>".  Ed25519
 * (type byte 0x01) is the only signature type.
 */
#ifndef SV_NOTE_H
#define SV_NOTE_H

#include "crypto/crypto.h"
#include "crypto/merkle.h"
#include "base/common.h"

typedef struct {
	char origin[128];
	uint64_t size;
	sv_hash root;
} sv_checkpoint;

/* Key id of an Ed25519 verifier key. */
uint32_t sv_note_keyid(const char *name, const unsigned char pub[SV_KEY_LEN]);
/* The vkey text (caller frees). */
char *sv_note_vkey(const char *name, const unsigned char pub[SV_KEY_LEN]);
/* Parse a vkey; SCRVAULT_EUSAGE if malformed or its id does not match. */
int sv_note_vkey_parse(char name[128], unsigned char pub[SV_KEY_LEN], const char *vkey);

/*
 * A signed note over any `body` (text ending in a newline, no blank line),
 * signed by `key` under the key name `name` (caller frees).  Bodies that are
 * not checkpoints start with a line naming their format, so one can never be
 * taken for the other (a checkpoint's first line is the log's origin).
 */
int sv_note_sign(char **out, const char *body, const char *name, const sv_secret *key);
/*
 * Verify a signed note by the key (name, pub); *bodylen gets the length of
 * its body (up to and including the newline before the blank line).
 * SCRVAULT_EINTEGRITY when malformed, unsigned by that key or the signature
 * is bad; the message says which.
 */
int sv_note_open(size_t *bodylen, const char *note, size_t len, const char *name,
		 const unsigned char pub[SV_KEY_LEN]);

/* Sign a checkpoint into a new signed-note text (caller frees). */
int sv_checkpoint_sign(char **out, const sv_checkpoint *c, const sv_secret *key);
/*
 * Parse a signed checkpoint and verify its signature by the key (name, pub).
 * SCRVAULT_EINTEGRITY when malformed, unsigned by that key or the signature
 * is bad; the message says which.
 */
int sv_checkpoint_open(sv_checkpoint *out, const char *note, size_t len,
		       const char *name, const unsigned char pub[SV_KEY_LEN]);

#endif
