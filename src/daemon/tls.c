/*
 * tls.c - scrvaultd's TLS 1.3 server context (see tls.h).
 *
 * The only file of the daemon that includes OpenSSL's TLS headers; the
 * rest of the daemon hands the context to libevent's OpenSSL bufferevents.
 * It must never accept a protocol below TLS 1.3, keep session state that
 * outlives a connection (tickets are encrypted under a key the process
 * holds for its life, so a stolen ticket key would open past sessions: none
 * are issued), or read a private key that someone else could have read or
 * replaced.  The key file is checked and read through one descriptor, so
 * what was checked is what is loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "tls.h"

#define KEY_MAX 65536

static _Thread_local char message[512];

const char *svd_tls_error(void)
{
	return message;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	ERR_clear_error();
	return -1;
}

/* The key file, checked (regular, ours, 0600 or stricter) and read through one fd. */
static EVP_PKEY *read_key(const char *path)
{
	unsigned char buf[KEY_MAX];
	struct passwd *pw;
	struct stat sb;
	EVP_PKEY *k = NULL;
	BIO *b = NULL;
	ssize_t n, len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0) {
		fail(errno == ELOOP ? "the TLS key '%s' is a symbolic link: name the file itself"
				    : "cannot open the TLS key '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		fail("the TLS key '%s' is not a regular file", path);
		goto done;
	}
	if (sb.st_uid != geteuid()) {
		pw = getpwuid(geteuid());
		fail("the TLS key '%s' is not owned by the daemon's user: chown %s '%s'", path,
		     pw ? pw->pw_name : "USER", path);
		goto done;
	}
	if (sb.st_mode & 077) {
		fail("the TLS key '%s' can be read by others (mode %03o): chmod 600 '%s'", path,
		     (unsigned)(sb.st_mode & 0777), path);
		goto done;
	}
	while (len < (ssize_t)sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - (size_t)len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail("cannot read the TLS key '%s': %s", path, strerror(errno));
			goto done;
		}
		len += n;
	}
	if (len == (ssize_t)sizeof(buf)) {
		fail("the TLS key '%s' is too large to be a key", path);
		goto done;
	}
	if (!(b = BIO_new_mem_buf(buf, (int)len)) || !(k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)))
		fail("the TLS key '%s' is not a PEM private key without a passphrase", path);
done:
	OPENSSL_cleanse(buf, sizeof(buf));
	BIO_free(b);
	close(fd);
	return k;
}

int svd_tls_server_ctx(SSL_CTX **out, const char *cert_pem, const char *key_pem)
{
	SSL_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;
	X509 *leaf;

	*out = NULL;
	message[0] = '\0';
	if (!cert_pem || !key_pem)
		return fail("name the TLS certificate and its key");
	if (!(ctx = SSL_CTX_new(TLS_server_method())) ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_num_tickets(ctx, 0) != 1) {
		fail("cannot set up TLS");
		goto fail;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_pem) != 1) {
		fail("cannot load the TLS certificate '%s': it must be PEM, the server's certificate first, "
		     "then its chain", cert_pem);
		goto fail;
	}
	leaf = SSL_CTX_get0_certificate(ctx);
	if (!leaf || X509_cmp_current_time(X509_get0_notAfter(leaf)) <= 0) {
		fail("the TLS certificate '%s' has expired: issue a new one ('scrvault tls issue')", cert_pem);
		goto fail;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(leaf)) >= 0) {
		fail("the TLS certificate '%s' is not valid yet: check the host's clock", cert_pem);
		goto fail;
	}
	if (!(k = read_key(key_pem)))
		goto fail;
	if (SSL_CTX_use_PrivateKey(ctx, k) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		fail("the TLS key '%s' is not the key of the certificate '%s'", key_pem, cert_pem);
		goto fail;
	}
	EVP_PKEY_free(k);
	*out = ctx;
	return 0;
fail:
	EVP_PKEY_free(k);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return -1;
}
