/*
 * scrvault/error.h - error codes and the last error message.
 *
 * Every library function returns 0 on success or one of the negative codes
 * below; the message that explains a failure is kept per thread and read with
 * scrvault_error_message().  The command line maps -code to its exit status,
 * so the numbers are part of the contract (DESIGN §9).
 */
#ifndef SCRVAULT_ERROR_H
#define SCRVAULT_ERROR_H

enum {
	SCRVAULT_OK         = 0,
	SCRVAULT_ERROR      = -1,	/* anything else: I/O, out of memory, ... */
	SCRVAULT_EUSAGE     = -2,	/* the request itself is malformed */
	SCRVAULT_EDENIED    = -3,	/* refused by policy or a wrong key */
	SCRVAULT_ENOTFOUND  = -4,	/* no such vault, case, document, ... */
	SCRVAULT_EINTEGRITY = -5,	/* tampering or corruption detected */
	SCRVAULT_ECONFLICT  = -6	/* conflicts with the current state */
};

/* The message of the last failure on this thread; never NULL. */
const char *scrvault_error_message(void);

/*
 * The input the last failure is about, or NULL: the name of the member of
 * the options struct (or of the argument) that was missing or wrong, as in
 * "case_ref" or "due" (several: comma-separated).  Messages never name a
 * command-line flag; a client maps this to its own words.
 */
const char *scrvault_error_field(void);

/* Forget the last message. */
void scrvault_error_clear(void);

#endif
