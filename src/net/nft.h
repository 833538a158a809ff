/* libnftables: hull's firewall state is one table, `ip hull`, that hull alone creates, changes and
 * deletes.  Commands are nft's own language, built only from values hull has parsed itself (addresses
 * and numbers), so nothing a user typed reaches nft as text.  A buffer of several commands is one
 * transaction: it applies whole or not at all. */
#ifndef HULL_NET_NFT_H
#define HULL_NET_NFT_H

#include <stdbool.h>

#include "util/error.h"

#define NET_NFT_TABLE "hull"

/* Runs commands; on refusal the error carries nft's first line of complaint. */
int net_nft_run(const char *commands, struct hull_error **err);

/* Whether table ip hull exists in the current network namespace. */
int net_nft_table_exists(bool *exists, struct hull_error **err);

/* Deletes table ip hull with everything in it; a missing table is not an error. */
int net_nft_table_delete(struct hull_error **err);

#endif
