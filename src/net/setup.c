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

#include "net/hosts.h"
#include "net/lan.h"
#include "net/local.h"
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
 * host: the host's address as the container reaches it; uplink: its network, for the neighbours. */
static int write_etc_files(struct net_setup *s, const char *name, bool shares_host,
			   const struct in_addr *self, const struct in_addr *host, const char *uplink,
			   struct hull_error **err)
{
	cleanup_free char *resolv = NULL, *hosts = NULL;
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
	if ((ret = net_hosts_build(s->state_dir, name, self, host, uplink, &hosts, err)) < 0)
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
	int ret;

	if ((ret = net_record_write(s->state_dir, r, err)) >= 0 &&
	    (ret = write_etc_files(s, name, false, &r->address, &r->host, r->uplink, err)) >= 0) {
		net_hosts_refresh(s->state_dir);
		return 0;
	}
	r->root = NULL;
	r->ports = (struct net_ports){0}; /* the caller's */
	net_nat_unpublish(s->state_dir, &s->ports);
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
	memcpy(r.uplink, a.uplink, sizeof(r.uplink));
	memcpy(r.helper, a.helper, sizeof(r.helper));
	r.driver = a.driver;
	r.address = a.address;
	r.gateway = a.gateway;
	r.host = a.host;
	r.prefix = a.prefix;
	return commit_record(s, name, &r, err);
}

int net_mode_check(const char *mode, struct hull_error **err)
{
	struct net_lan_request lan;
	unsigned pinned;
	bool local, is_lan;
	int ret;

	if ((ret = parse_local(mode, &local, &pinned, err)) < 0 ||
	    (ret = net_lan_parse_mode(mode, &is_lan, &lan, err)) < 0)
		return ret;
	if (local || is_lan || strcmp(mode, "none") == 0 || strcmp(mode, "private") == 0 ||
	    strcmp(mode, "host") == 0 || strcmp(mode, "shared") == 0)
		return 0;
	if (strncmp(mode, "ns:", 3) == 0 && mode[3] == '/')
		return 0;
	return hull_error_invalid(
	    err,
	    "network mode `%s` is not none, private, host, shared, local, local.N, bridge, "
	    "A.B.C.D[/N] or ns:PATH (an absolute path)",
	    mode);
}

int net_setup(struct net_setup *s, struct hull_error **err)
{
	cleanup_close int lock = -1;
	const char *name = s->name ? s->name : s->id;
	struct in_addr loopback = {htonl(INADDR_LOOPBACK)};
	struct net_lan_request lan = {0};
	unsigned pinned;
	bool local, is_lan;
	int ret;

	if ((ret = id_validate(s->id, err)) < 0)
		return hull_error_wrap(err, "network setup");
	if ((ret = net_mode_check(s->mode, err)) < 0)
		return hull_error_wrap(err, "network setup `%s`", s->id);
	if (s->name && !net_hostname_valid(s->name))
		return hull_error_invalid(
		    err,
		    "network setup `%s`: name `%s` is not a host name (letters, digits, "
		    "`-`, `.`, `_`)",
		    s->id, s->name);
	/* An id that is no host name (it may hold `+`) simply gets no name. */
	if (!net_hostname_valid(name))
		name = NULL;
	if ((ret = parse_local(s->mode, &local, &pinned, err)) < 0 ||
	    (ret = net_lan_parse_mode(s->mode, &is_lan, &lan, err)) < 0)
		return hull_error_wrap(err, "network setup `%s`", s->id);
	if (!local && s->ports.count > 0)
		return hull_error_invalid(
		    err,
		    "network setup `%s`: ports are published only on the local network, "
		    "not in mode `%s`",
		    s->id, s->mode);
	/* Sharing the host's network, the container reaches its loopback stub resolver and the host
	 * itself on 127.0.0.1. */
	if (strcmp(s->mode, "host") == 0 || strcmp(s->mode, "shared") == 0)
		ret = write_etc_files(s, name, true, NULL, &loopback, NULL, err);
	else if (strcmp(s->mode, "none") == 0 || strcmp(s->mode, "private") == 0)
		ret = loopback_only(s->netns_fd, err) < 0
			  ? -1
			  : write_etc_files(s, name, false, NULL, NULL, NULL, err);
	else if (strncmp(s->mode, "ns:", 3) == 0)
		ret = check_joined(s->mode + 3, s->netns_fd, err) < 0
			  ? -1
			  : write_etc_files(s, name, false, NULL, NULL, NULL, err);
	else
		ret = 1;
	if (ret <= 0)
		return ret < 0 ? hull_error_wrap(err, "network setup `%s`", s->id) : 0;
	if (!local && !is_lan)
		return hull_error_invalid(err,
					  "network setup `%s`: mode `%s` is not none, private, host, shared, "
					  "local, local.N, bridge, A.B.C.D[/N] or ns:PATH",
					  s->id, s->mode);
	if ((ret = net_state_lock(s->state_dir, &lock, err)) < 0 ||
	    (ret = local ? setup_local(s, name, pinned, err) : setup_lan(s, name, &lan, err)) < 0)
		return hull_error_wrap(err, "network setup `%s`", s->id);
	return 0;
}

int net_release_record(const char *dir, struct net_record *r, struct hull_error **err)
{
	struct net_local_attachment a = {.address = r->address, .gateway = r->gateway, .prefix = r->prefix};
	cleanup_free char *path = NULL;
	int ret;

	net_nat_unpublish(dir, &r->ports);
	if (r->uplink[0]) {
		struct net_lan_attachment lan = {.driver = r->driver, .address = r->address};
		memcpy(lan.uplink, r->uplink, sizeof(lan.uplink));
		memcpy(lan.helper, r->helper, sizeof(lan.helper));
		if ((ret = net_lan_detach(dir, &lan, err)) < 0)
			return ret;
	}
	if (r->veth[0]) {
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
		net_hosts_refresh(dir);
	net_record_free(&r);
	return ret < 0 ? hull_error_wrap(err, "network teardown `%s`", id) : 0;
}
