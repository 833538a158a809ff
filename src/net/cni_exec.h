/* Running one CNI plugin as the CNI specification says: the network configuration on standard input,
 * the command and container in CNI_* environment variables, the result (or an error object) on standard
 * output, and the exit status saying which. */
#ifndef HULL_NET_CNI_EXEC_H
#define HULL_NET_CNI_EXEC_H

#include "util/error.h"

struct net_cni_call {
	const char *command; /* ADD, DEL, CHECK */
	const char *id;
	const char *netns; /* a path; "" for a DEL after the namespace is gone */
	const char *ifname;
	const char *path; /* CNI_PATH: the plugin directories, colon-separated */
};

/* Runs plugin `type` (found in call->path) with config on its standard input; *out is what it printed
 * (NULL for an empty answer).  A failing plugin's error object becomes the error's message. */
int net_cni_exec(const struct net_cni_call *call, const char *type, const char *config, char **out,
		 struct hull_error **err);

/* The plugin's executable in the CNI path; type must be a plain file name. */
int net_cni_find_plugin(const char *path, const char *type, char **out, struct hull_error **err);

#endif
