/*
 * seal.h - the command of scrvault-seal that scrvault does not have (yet):
 * verify (cmd_verify.c), receipt verify (cmd_receipt.c).  seal and open are scrvault's own
 * (src/cli/bundles.c), keygen, accept and pin too (src/cli/keys.c); options,
 * passphrases and output come from src/cli/common.c.
 */
#ifndef SV_SEAL_H
#define SV_SEAL_H

#include "../cli/cli.h"

int seal_cmd_verify(cli_args *a, scrvault *unused);
/* receipt verify (cmd_receipt.c). */
int seal_cmd_receipt_verify(cli_args *a, scrvault *unused);

#endif
