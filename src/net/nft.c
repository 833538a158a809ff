#include "net/nft.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nftables/libnftables.h>

static void ctx_free(struct nft_ctx **ctx)
{
	if (*ctx)
		nft_ctx_free(*ctx);
}

/* nft's diagnostics run over several lines (the command, a caret line); the first says the cause. */
static int refusal(struct hull_error **err, struct nft_ctx *ctx)
{
	const char *text = nft_ctx_get_error_buffer(ctx);
	size_t len;

	if (text == NULL || *text == '\0')
		return hull_error_fail(err, EPERM, "nftables refused the change");
	len = strcspn(text, "\n");
	if (strncmp(text, "Error: ", 7) == 0) {
		text += 7;
		len -= 7;
	}
	return hull_error_fail(err, EPERM, "nftables: %.*s", (int)len, text);
}

static int run(const char *commands, bool *refused, struct hull_error **err)
{
	__attribute__((cleanup(ctx_free))) struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);

	*refused = false;
	if (ctx == NULL)
		return hull_error_set(err, ENOMEM, "nftables");
	/* Buffered, so that nothing is printed and the error text can be read back. */
	if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0)
		return hull_error_set(err, ENOMEM, "nftables");
	if (nft_run_cmd_from_buffer(ctx, commands) != 0) {
		*refused = true;
		return refusal(err, ctx);
	}
	return 0;
}

int net_nft_run(const char *commands, struct hull_error **err)
{
	bool refused;

	return run(commands, &refused, err);
}

int net_nft_table_exists(bool *exists, struct hull_error **err)
{
	struct hull_error *ignored = NULL;
	bool refused;
	int ret = run("list table ip " NET_NFT_TABLE, &refused, &ignored);

	hull_error_free(&ignored);
	/* The only refusal of a listing is a missing table. */
	*exists = ret == 0;
	if (ret < 0 && !refused)
		return hull_error_set(err, -ret, "nftables");
	return 0;
}

int net_nft_table_delete(struct hull_error **err)
{
	bool exists;
	int ret;

	if ((ret = net_nft_table_exists(&exists, err)) < 0 || !exists)
		return ret;
	return net_nft_run("delete table ip " NET_NFT_TABLE, err);
}
