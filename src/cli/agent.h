/*
 * agent.h - the command line's side of `scrvault agent` (cmd_agent.c runs
 * it; agent_client.c talks to it).  Wire format in agent_client.c and
 * docs/ARCHITECTURE.md.
 */
#ifndef SV_CLI_AGENT_H
#define SV_CLI_AGENT_H

#include <stddef.h>
#include "scrvault/scrvault.h"

#define CLI_AGENT_MSG_MAX	16384	/* bytes of one message's JSON */
#define CLI_AGENT_TIMEOUT	5	/* seconds a peer may take to send or read */

/* The agent's socket: `given`, else $SCRVAULT_AGENT_SOCK; NULL if neither. */
const char *cli_agent_socket(const char *given);
/* One framed message: 0, or -1 (closed, too long, timed out). */
int cli_agent_write(int fd, const char *buf, size_t len);
int cli_agent_read(char **out, size_t *len, int fd);
/* `s` as a JSON string, quotes included (malloc'd; NULL if out of memory). */
char *cli_json_quote(const char *s);
/*
 * Send `request` (JSON text) to the agent at `sock` (NULL: $SCRVAULT_AGENT_SOCK)
 * and parse its answer into *out: 0, or the exit status after the message
 * (4 no agent, 3 refused, the agent's code for its error).
 */
int cli_agent_call(scrvault_json **out, const char *sock, const char *request);
/* The agent's {"name","vault","vkey"}, as cli_agent_call. */
int cli_agent_identity(scrvault_json **out);
/* The agent's signature (base64) of `statement` into *sig (free it): 0 or an exit status. */
int cli_agent_sign(char **sig, const char *statement);

/*
 * The session the agent keeps for `service` (the --server URL): its token
 * into *token (free it after explicit_bzero): 0, or 1 when there is none or
 * no agent of this user answers (quietly: the caller signs in).
 */
int cli_agent_session(char **token, const char *service);
/* Hand the agent the session just opened for `service`: 0, or 1 (not kept). */
int cli_agent_session_keep(const char *service, const char *token);
/* Tell the agent the service refused `token`: it forgets it (if still that one). */
void cli_agent_session_drop(const char *service, const char *token);

/* The whole of a small text file (no NUL byte), at most `max` bytes, as it
 * is: malloc'd and NUL-terminated, or NULL after the message. */
char *cli_read_file(const char *path, size_t max);
/* The same with one trailing newline dropped (a statement, a signature). */
char *cli_read_text(const char *path, size_t max);
/* Write `text` to a new file (0600, O_EXCL): 0, or the exit status after the message. */
int cli_write_new(const char *path, const char *text);

#endif
