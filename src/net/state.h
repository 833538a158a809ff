/* The network state directory (/run/hull/network by default): STATE/lock, held exclusively by whatever
 * changes the networks (setup, teardown, prune, set), and one record per container with a network,
 * STATE/containers/ID.json, which says what setup made so that teardown releases exactly that, even after
 * the container's processes and namespace are gone.  Leases live beside them (net/local.h, net/nat.h). */
#ifndef HULL_NET_STATE_H
#define HULL_NET_STATE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/netlink.h"
#include "net/ports.h"
#include "util/error.h"

/* The default state directory: $HULL_NETWORK_STATE, else /run/hull/network for root and
 * $XDG_RUNTIME_DIR/hull/network (or /tmp/hull-run-UID/network) for other users (rootless_run_dir). */
const char *net_default_state_dir(void);

/* Takes STATE/lock (making STATE when missing); *fd holds it until closed. */
int net_state_lock(const char *state_dir, int *fd, struct hull_error **err);

/* A lease is a file made with O_EXCL, holding the id of the container it belongs to: making it is the
 * allocation.  -EEXIST, with no error set, when another container holds it. */
int net_lease_create(const char *path, const char *id, struct hull_error **err);

/* 1 to max letters, digits, `-`, `.` and `_`, not starting with `-` or `.`: what names of containers in
 * /etc/hosts, switches, CNI networks and plugins may be, so that none becomes a path or another word. */
bool net_name_valid(const char *name, size_t max);
#define NET_HOSTNAME_MAX 253
#define NET_CNI_NAME_MAX 127

/* An address's lease, LEASES/ADDRESS (the folder made when missing): -EEXIST, with no error set, when
 * another container holds it. */
int net_address_lease(const char *leases, const char *id, struct in_addr a, struct hull_error **err);
/* The first free address of the host-order range first..last, skip excepted; -EADDRNOTAVAIL, with no
 * error set, when every one is held. */
int net_address_lease_first(const char *leases, const char *id, uint32_t first, uint32_t last,
			    struct in_addr skip, struct in_addr *out, struct hull_error **err);
void net_address_release(const char *leases, struct in_addr a);

struct net_record {
	char id[256];
	char mode[64];
	pid_t pid; /* 0: not known */
	uint64_t start_time;
	char veth[16];				  /* empty: no local attachment */
	char uplink[IFNAMSIZ], helper[IFNAMSIZ];  /* uplink empty: no LAN address */
	char switch_name[65];			  /* empty: not on a userspace switch */
	char cni[NET_CNI_NAME_MAX + 1];		  /* the CNI network's name; empty: none */
	char *cni_config, *cni_result, *cni_path; /* what DEL needs, as ADD used it; owned */
	char usermode[16];			  /* "slirp4netns"; empty: none */
	pid_t helper_pid;			  /* its process */
	uint64_t helper_start;
	enum net_lan_driver driver;
	struct in_addr address, gateway;
	struct in_addr host; /* the host's address as the container reaches it, `host` in /etc/hosts */
	unsigned prefix;
	struct net_ports ports;
	char name[254];	   /* its name in the other containers' /etc/hosts; empty: none */
	char *root;	   /* its root filesystem, when hull writes its /etc files; owned */
	char *extra_hosts; /* its --add-host lines in /etc/hosts (net_extra_hosts_text); owned, NULL: none */
};

/* STATE/containers/ID.json, or NULL without memory. */
char *net_record_path(const char *state_dir, const char *id);

int net_record_write(const char *state_dir, const struct net_record *r, struct hull_error **err);

/* Reads a record; -ENOENT (with no error set) when there is none. */
int net_record_read(const char *state_dir, const char *id, struct net_record *r, struct hull_error **err);

void net_record_free(struct net_record *r);

/* Calls fn for each container id with a record; a file whose name is no valid id is skipped. */
int net_records_each(const char *state_dir,
		     int (*fn)(const char *state_dir, const char *id, void *data, struct hull_error **err),
		     void *data, struct hull_error **err);

/* Which network a record's address is on, for naming neighbours: "local", "lan:UPLINK", "switch:NAME",
 * or "" (no address of its own). */
void net_record_network(const struct net_record *r, char *out, size_t size);

/* Whether the container's first process still runs (the same process: its start time matches). */
bool net_record_alive(const struct net_record *r);

#endif
