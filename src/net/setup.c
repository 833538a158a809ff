#include "net/setup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "net/cni.h"
#include "net/hosts.h"
#include "net/lan.h"
#include "net/local.h"
#include "net/switch_attach.h"
#include "net/usermode.h"
#include "net/nat.h"
#include "net/netlink.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/id.h"
#include "util/json.h"
#include "util/log.h"
#include "util/process.h"

/* "local", "bridge" or "local.X" (X the host part of the address asked for). */
static int parse_local(const char *mode, bool *local, unsigned *pinned, struct hull_error **err)
{
	char *end;
	unsigned long x;

	*pinned = 0;
	*local = strcmp(mode, "local") == 0 || strcmp(mode, "bridge") == 0;
	if (*local || strncmp(mode, "local.", 6) != 0)
		return 0;
	errno = 0;
	x = strtoul(mode + 6, &end, 10);
	if (errno || *end || end == mode + 6 || x > 65534)
		return hull_error_invalid(err, "network mode `%s`: expected local.N with N a host number",
					  mode);
	*local = true;
	*pinned = (unsigned)x;
	return 0;
}

/* ns:PATH: the runtime joined that namespace (linux.namespaces' network path); setup checks that it did,
 * since a hook cannot move a running container into another namespace. */
static int check_joined(const char *path, int netns_fd, struct hull_error **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat want, have;

	if (fd < 0)
		return hull_error_errno(err, "network namespace `%s`", path);
	if (fstat(fd, &want) < 0 || fstat(netns_fd, &have) < 0)
		return hull_error_errno(err, "network namespace `%s`", path);
	if (want.st_dev != have.st_dev || want.st_ino != have.st_ino)
		return hull_error_fail(
		    err, EINVAL,
		    "the container is not in the network namespace `%s`; give it as the network "
		    "path in linux.namespaces (`hull network configure-bundle` does)",
		    path);
	return 0;
}

static int loopback_only(int netns_fd, struct hull_error **err)
{
	/* Only loopback, up: runtimes bring it up themselves, but not every one does. */
	struct net_nl c;
	int lo = 0, ret;

	if ((ret = net_nl_open(&c, netns_fd, err)) < 0)
		return ret;
	if ((ret = net_link_index(&c, "lo", &lo, err)) >= 0 && lo > 0)
		ret = net_link_up(&c, lo, 0, err);
	net_nl_close(&c);
	return ret;
}

int net_bundle_root(const char *bundle, char **root, struct hull_error **err)
{
	cleanup_free char *path = NULL, *text = NULL;
	json_object *doc = NULL, *rootobj = NULL;
	const char *p = NULL;
	int ret;

	*root = NULL;
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return hull_error_set(err, ENOMEM, "bundle");
	if ((ret = fs_read_file(AT_FDCWD, path, &text, NULL, err)) < 0 ||
	    (ret = json_parse_text(text, strlen(text), path, &doc, err)) < 0)
		return ret;
	if ((ret = json_field_object(doc, path, "root", &rootobj, err)) >= 0 && rootobj &&
	    (ret = json_field_string(rootobj, path, "path", &p, err)) >= 0 && p) {
		if ((*p == '/' ? asprintf(root, "%s", p) : asprintf(root, "%s/%s", bundle, p)) < 0)
			ret = hull_error_set(err, ENOMEM, "bundle");
	} else if (ret >= 0) {
		ret = hull_error_invalid(err, "`%s`: no root.path", path);
	}
	json_object_put(doc);
	return ret;
}

/* /etc/resolv.conf and /etc/hosts in the container's root.  self: its address (NULL: none of its own);
 * host: the host's address as the container reaches it; network: as net_record_network() names it, for
 * the neighbours. */
static int write_etc_files(struct net_setup *s, const char *name, bool shares_host,
			   const struct in_addr *self, const struct in_addr *host, const char *network,
			   const char *extra, struct hull_error **err)
{
	cleanup_free char *resolv = NULL, *hosts = NULL, *own_extra = NULL;
	size_t servers = 0;
	int ret;

	if (s->root == NULL)
		return 0;
	if ((ret = net_resolv_conf_for_container(shares_host, &s->dns, &resolv, &servers, err)) < 0 ||
	    (ret = net_root_write_etc(s->root, "resolv.conf", resolv, err)) < 0)
		return ret;
	if (servers == 0)
		hull_log_warning("network setup `%s`: the host names no DNS server the container can reach; "
				 "give one with --dns",
				 s->id);
	/* Without a record (none, host), the --add-host lines are made here. */
	if (extra == NULL &&
	    (ret = net_extra_hosts_text(s->extra_hosts, s->n_extra_hosts, host, &own_extra, err)) < 0)
		return ret;
	if ((ret = net_hosts_build(s->state_dir, name, self, host, network, extra ? extra : own_extra, &hosts,
				   err)) < 0)
		return ret;
	return net_root_write_etc(s->root, "hosts", hosts, err);
}

static int record_init(const struct net_setup *s, const char *name, struct net_record *r,
		       struct hull_error **err)
{
	*r = (struct net_record){.pid = s->pid};
	snprintf(r->id, sizeof(r->id), "%s", s->id);
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	snprintf(r->mode, sizeof(r->mode), "%s", s->mode);
	r->root = (char *)s->root; /* borrowed */
	if (s->pid > 0 && process_start_time(s->pid, &r->start_time, NULL) < 0)
		return hull_error_fail(err, ESRCH, "process %d is gone", (int)s->pid);
	return 0;
}

/* Records what r holds, then writes the container's /etc files; on failure releases all of it. */
static int commit_record(struct net_setup *s, const char *name, struct net_record *r, struct hull_error **err)
{
	cleanup_free char *extra = NULL;
	char network[128];
	int ret;

	net_record_network(r, network, sizeof(network));
	/* Kept in the record, so that the file is the same when a neighbour's arrival rewrites it; r borrows
	 * the text only while it is written. */
	if ((ret = net_extra_hosts_text(s->extra_hosts, s->n_extra_hosts, &r->host, &extra, err)) >= 0 &&
	    (r->extra_hosts = extra, ret = net_record_write(s->state_dir, r, err)) >= 0 &&
	    (ret = write_etc_files(s, name, false, &r->address, &r->host, network, extra ? extra : "",
				   err)) >= 0) {
		r->extra_hosts = NULL;
		net_hosts_refresh(s->state_dir, s->id);
		return 0;
	}
	r->extra_hosts = NULL;
	/* What the record holds is released as teardown would; r's strings and ports stay the caller's. */
	net_release_record(s->state_dir, r, NULL);
	return ret;
}

static int setup_local(struct net_setup *s, const char *name, unsigned pinned, struct hull_error **err)
{
	struct net_local_attachment a;
	struct net_record r;
	int ret;

	if ((ret = record_init(s, name, &r, err)) < 0 ||
	    (ret = net_local_attach(s->state_dir, s->id, s->netns_fd, pinned, &a, err)) < 0)
		return ret;
	if ((ret = net_nat_publish(s->state_dir, s->id, &s->ports, a.address, err)) < 0) {
		net_local_detach(s->state_dir, &a, NULL);
		net_local_release_if_unused(s->state_dir, NULL);
		return ret;
	}
	memcpy(r.veth, a.veth, sizeof(r.veth));
	r.address = a.address;
	r.gateway = r.host = a.gateway;
	r.prefix = a.prefix;
	r.ports = s->ports; /* with the host ports chosen */
	return commit_record(s, name, &r, err);
}

/* With forwarding on, a dedicated-address container and the local network reach each other: the host
 * forwards between its helper and the bridge, and the container, whose default route is the LAN's
 * gateway (which knows nothing of the local subnet), is given the way through the host.  The subnet is
 * chosen now if no local container has chosen it yet, so that one started later is reached too. */
static int route_to_local(const struct net_setup *s, const struct net_lan_attachment *a,
			  struct hull_error **err)
{
	struct net_local_config c;
	struct net_nl nl;
	int ret;

	if (a->host.s_addr == 0)
		return 0;
	if ((ret = net_local_config_load(s->state_dir, &c, err)) < 0 || !c.forwarding)
		return ret;
	if ((ret = net_local_config_chosen(s->state_dir, &c, err)) < 0 ||
	    (ret = net_nl_open(&nl, s->netns_fd, err)) < 0)
		return hull_error_wrap(err, "route to the local network");
	ret = net_route_via(&nl, c.subnet, c.prefix, a->host, err);
	net_nl_close(&nl);
	return ret < 0 ? hull_error_wrap(err, "route to the local network") : 0;
}

static int setup_lan(struct net_setup *s, const char *name, struct net_lan_request *req,
		     struct hull_error **err)
{
	struct net_lan_attachment a;
	struct net_record r;
	int ret;

	req->uplink = s->uplink;
	req->driver = s->lan_driver;
	if ((ret = record_init(s, name, &r, err)) < 0 ||
	    (ret = net_lan_attach(s->state_dir, s->id, s->netns_fd, req, &a, err)) < 0)
		return ret;
	if ((ret = route_to_local(s, &a, err)) < 0) {
		net_lan_detach(s->state_dir, &a, NULL);
		return ret;
	}
	memcpy(r.uplink, a.uplink, sizeof(r.uplink));
	memcpy(r.helper, a.helper, sizeof(r.helper));
	r.driver = a.driver;
	r.address = a.address;
	r.gateway = a.gateway;
	r.host = a.host;
	r.prefix = a.prefix;
	return commit_record(s, name, &r, err);
}

static int setup_switch(struct net_setup *s, const char *name, const char *switch_name,
			struct hull_error **err)
{
	struct net_switch_attachment a;
	struct net_record r;
	int ret;

	if ((ret = record_init(s, name, &r, err)) < 0 ||
	    (ret = net_switch_attach(s->state_dir, s->id, s->netns_fd, switch_name, &a, err)) < 0)
		return ret;
	memcpy(r.switch_name, a.name, sizeof(r.switch_name));
	r.address = a.address;
	r.gateway = r.host = a.gateway;
	r.prefix = a.prefix;
	return commit_record(s, name, &r, err);
}

static int setup_cni(struct net_setup *s, const char *name, const char *network, struct hull_error **err)
{
	struct net_cni_network n;
	struct net_record r;
	char netns[64];
	int ret;

	if ((ret = record_init(s, name, &r, err)) < 0)
		return ret;
	/* The plugins open the namespace by path: the container's first process holds it. */
	snprintf(netns, sizeof(netns), "/proc/%d/ns/net", (int)s->pid);
	if ((ret = net_cni_add(network, s->cni_conf_dir ? s->cni_conf_dir : NET_CNI_CONF_DIR,
			       s->cni_path ? s->cni_path : NET_CNI_PATH, s->id, netns, &s->ports, &n, err)) <
	    0)
		return ret;
	snprintf(r.cni, sizeof(r.cni), "%s", network);
	r.cni_config = n.config;
	r.cni_result = n.result;
	r.cni_path = (char *)(s->cni_path ? s->cni_path : NET_CNI_PATH);
	r.ports = s->ports; /* published by the plugins; recorded to be shown */
	r.address = n.address;
	r.gateway = r.host = n.gateway;
	r.prefix = n.prefix;
	ret = commit_record(s, name, &r, err);
	net_cni_network_free(&n);
	return ret;
}

static int setup_usermode(struct net_setup *s, const char *name, struct hull_error **err)
{
	struct net_usermode_attachment a;
	struct net_record r;
	char dns[INET_ADDRSTRLEN];
	const char *servers[] = {dns, NULL};
	int ret;

	if ((ret = record_init(s, name, &r, err)) < 0 ||
	    (ret = net_usermode_attach(s->state_dir, s->id, s->pid, &s->ports, &a, err)) < 0)
		return ret;
	snprintf(r.usermode, sizeof(r.usermode), "slirp4netns");
	r.helper_pid = a.helper;
	r.helper_start = a.helper_start;
	r.address = a.address;
	r.gateway = r.host = a.gateway;
	r.prefix = a.prefix;
	r.ports = s->ports;
	/* slirp4netns answers DNS itself, from the host's resolvers: its address is the one to use. */
	if (a.dns.s_addr && s->dns.servers == NULL) {
		inet_ntop(AF_INET, &a.dns, dns, sizeof(dns));
		s->dns.servers = servers;
	}
	ret = commit_record(s, name, &r, err);
	if (s->dns.servers == servers)
		s->dns.servers = NULL;
	return ret;
}

enum mode_kind { MODE_NONE, MODE_HOST, MODE_NS, MODE_LOCAL, MODE_LAN, MODE_SWITCH, MODE_CNI, MODE_USER };

struct mode {
	enum mode_kind kind;
	unsigned pinned;	    /* local.N */
	struct net_lan_request lan; /* A.B.C.D[/N] */
	const char *arg;	    /* ns:PATH's path, switch:NAME's and cni:NAME's name */
};

static int parse_mode(const char *text, struct mode *m, struct hull_error **err)
{
	bool local, is_lan, is_switch;
	int ret;

	*m = (struct mode){0};
	if (strcmp(text, "none") == 0 || strcmp(text, "private") == 0)
		return 0;
	if (strcmp(text, "host") == 0 || strcmp(text, "shared") == 0) {
		m->kind = MODE_HOST;
		return 0;
	}
	if (strncmp(text, "ns:", 3) == 0) {
		m->kind = MODE_NS;
		m->arg = text + 3;
		if (*m->arg != '/')
			return hull_error_invalid(err, "network mode `%s`: ns: takes an absolute path", text);
		return 0;
	}
	if (strcmp(text, "slirp4netns") == 0) {
		m->kind = MODE_USER;
		return 0;
	}
	if (strncmp(text, "cni:", 4) == 0) {
		m->kind = MODE_CNI;
		m->arg = text + 4;
		if (!net_name_valid(m->arg, NET_CNI_NAME_MAX))
			return hull_error_invalid(
			    err,
			    "network mode `%s`: a CNI network name is letters, digits, `.`, "
			    "`_` and `-`",
			    text);
		return 0;
	}
	if ((ret = parse_local(text, &local, &m->pinned, err)) < 0 ||
	    (ret = net_lan_parse_mode(text, &is_lan, &m->lan, err)) < 0 ||
	    (ret = net_switch_parse_mode(text, &is_switch, &m->arg, err)) < 0)
		return ret;
	m->kind = local ? MODE_LOCAL : is_lan ? MODE_LAN : MODE_SWITCH;
	if (local || is_lan || is_switch)
		return 0;
	return hull_error_invalid(
	    err,
	    "network mode `%s` is not none, private, host, shared, local, local.N, bridge, "
	    "A.B.C.D[/N], switch:NAME, cni:NAME, slirp4netns or ns:PATH",
	    text);
}

int net_mode_check(const char *mode, struct hull_error **err)
{
	struct mode m;

	return parse_mode(mode, &m, err);
}

/* Modes without an address of their own from hull: only the /etc files (and loopback for none). */
static int setup_without_address(struct net_setup *s, const struct mode *m, const char *name,
				 struct hull_error **err)
{
	/* Sharing the host's network, the container reaches its loopback stub resolver and the host
	 * itself on 127.0.0.1. */
	struct in_addr loopback = {htonl(INADDR_LOOPBACK)};

	if (m->kind == MODE_HOST)
		return write_etc_files(s, name, true, NULL, &loopback, NULL, NULL, err);
	if (m->kind == MODE_NS && check_joined(m->arg, s->netns_fd, err) < 0)
		return -1;
	if (m->kind == MODE_NONE && loopback_only(s->netns_fd, err) < 0)
		return -1;
	return write_etc_files(s, name, false, NULL, NULL, NULL, NULL, err);
}

int net_setup(struct net_setup *s, struct hull_error **err)
{
	cleanup_close int lock = -1, netns = -1;
	const char *name = s->name ? s->name : s->id;
	struct mode m;
	int ret;

	if ((ret = id_validate(s->id, err)) < 0)
		return hull_error_wrap(err, "network setup");
	if ((ret = parse_mode(s->mode, &m, err)) < 0)
		return hull_error_wrap(err, "network setup `%s`", s->id);
	if (s->name && !net_name_valid(s->name, NET_HOSTNAME_MAX))
		return hull_error_invalid(
		    err,
		    "network setup `%s`: name `%s` is not a host name (letters, digits, "
		    "`-`, `.`, `_`)",
		    s->id, s->name);
	/* An id that is no host name (it may hold `+`) simply gets no name. */
	if (!net_name_valid(name, NET_HOSTNAME_MAX))
		name = NULL;
	if (m.kind != MODE_LOCAL && m.kind != MODE_CNI && m.kind != MODE_USER && s->ports.count > 0)
		return hull_error_invalid(
		    err,
		    "network setup `%s`: ports are published only on the local network and "
		    "through CNI, not in mode `%s`",
		    s->id, s->mode);
	/* slirp4netns and CNI plugins join the namespace themselves (an unprivileged caller may not even
	 * open it); every other mode works in it from here. */
	if (s->netns_fd < 0 && m.kind != MODE_USER && m.kind != MODE_CNI && m.kind != MODE_HOST) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)s->pid);
		if ((netns = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return hull_error_errno(err, "network setup `%s`: open `%s`", s->id, path);
		s->netns_fd = netns;
	}
	if (m.kind == MODE_NONE || m.kind == MODE_HOST || m.kind == MODE_NS)
		ret = setup_without_address(s, &m, name, err);
	else if ((ret = net_state_lock(s->state_dir, &lock, err)) >= 0)
		ret = m.kind == MODE_LOCAL  ? setup_local(s, name, m.pinned, err)
		      : m.kind == MODE_LAN  ? setup_lan(s, name, &m.lan, err)
		      : m.kind == MODE_CNI  ? setup_cni(s, name, m.arg, err)
		      : m.kind == MODE_USER ? setup_usermode(s, name, err)
					    : setup_switch(s, name, m.arg, err);
	if (netns >= 0)
		s->netns_fd = -1; /* ours, closed on return */
	return ret < 0 ? hull_error_wrap(err, "network setup `%s`", s->id) : 0;
}

int net_release_record(const char *dir, struct net_record *r, struct hull_error **err)
{
	cleanup_free char *path = NULL;
	int ret;

	if (r->usermode[0]) {
		struct net_usermode_attachment u = {.helper = r->helper_pid, .helper_start = r->helper_start};
		net_usermode_detach(dir, r->id, &u);
	} else if (r->cni[0]) {
		char netns[64] = "";
		/* DEL after the namespace is gone gets an empty CNI_NETNS, as the specification allows. */
		if (net_record_alive(r))
			snprintf(netns, sizeof(netns), "/proc/%d/ns/net", (int)r->pid);
		if ((ret = net_cni_del(r->cni_config, r->cni_result, r->cni_path, r->id, netns, err)) < 0)
			return ret;
	} else {
		net_nat_unpublish(dir, &r->ports);
	}
	if (r->switch_name[0]) {
		struct net_switch_attachment sw = {.address = r->address};
		memcpy(sw.name, r->switch_name, sizeof(sw.name));
		net_switch_detach(dir, r->id, &sw);
	}
	if (r->uplink[0]) {
		struct net_lan_attachment lan = {.driver = r->driver, .address = r->address};
		memcpy(lan.uplink, r->uplink, sizeof(lan.uplink));
		memcpy(lan.helper, r->helper, sizeof(lan.helper));
		if ((ret = net_lan_detach(dir, &lan, err)) < 0)
			return ret;
	}
	if (r->veth[0]) {
		struct net_local_attachment a = {
		    .address = r->address, .gateway = r->gateway, .prefix = r->prefix};
		memcpy(a.veth, r->veth, sizeof(a.veth));
		if ((ret = net_local_detach(dir, &a, err)) < 0 ||
		    (ret = net_local_release_if_unused(dir, err)) < 0)
			return ret;
	}
	if ((path = net_record_path(dir, r->id)) == NULL)
		return hull_error_set(err, ENOMEM, "network");
	unlink(path);
	return 0;
}

int net_teardown(const char *dir, const char *id, struct hull_error **err)
{
	cleanup_close int lock = -1;
	struct net_record r;
	int ret;

	if ((ret = id_validate(id, err)) < 0)
		return hull_error_wrap(err, "network teardown");
	if ((ret = net_state_lock(dir, &lock, err)) < 0)
		return hull_error_wrap(err, "network teardown `%s`", id);
	if ((ret = net_record_read(dir, id, &r, err)) == -ENOENT) {
		hull_log_debug("network teardown `%s`: nothing recorded", id);
		return 0;
	}
	if (ret >= 0 && (ret = net_release_record(dir, &r, err)) >= 0)
		net_hosts_refresh(dir, NULL);
	net_record_free(&r);
	return ret < 0 ? hull_error_wrap(err, "network teardown `%s`", id) : 0;
}
