/*
 * seal.h - the commands of scrvault-seal that scrvault does not have (yet):
 * keygen (cmd_keygen.c) and verify (cmd_verify.c).  seal and open are
 * scrvault's own (src/cli/bundles.c); options, passphrases and output come
 * from src/cli/common.c.
 */
#ifndef SV_SEAL_H
#define SV_SEAL_H

#include "../cli/cli.h"

int seal_cmd_keygen(cli_args *a, scrvault *unused);
int seal_cmd_verify(cli_args *a, scrvault *unused);

#endif
