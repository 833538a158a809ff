#include "net/state.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <json-c/json.h>

#include "net/hosts.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/id.h"
#include "util/json.h"
#include "util/process.h"
#include "util/rootless.h"

const char *net_default_state_dir(void)
{
	static char path[4096];
	const char *env = getenv("HULL_NETWORK_STATE");

	if (env && *env)
		return env;
	if (!rootless())
		return "/run/hull/network";
	/* Another user's networks are not this one's to touch: a directory of their own. */
	snprintf(path, sizeof(path), "%s/network", rootless_run_dir());
	return path;
}

int net_state_lock(const char *dir, int *fd, struct hull_error **err)
{
	cleanup_free char *path = NULL;
	int ret;

	if ((ret = fs_mkdir_parents(dir, 0700, err)) < 0)
		return ret;
	if (asprintf(&path, "%s/lock", dir) < 0)
		return hull_error_set(err, ENOMEM, "network");
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return hull_error_errno(err, "open `%s`", path);
	if (flock(*fd, LOCK_EX) < 0) {
		ret = hull_error_errno(err, "lock `%s`", path);
		close(*fd);
		*fd = -1;
		return ret;
	}
	return 0;
}

int net_lease_create(const char *path, const char *id, struct hull_error **err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int ret;

	if (fd < 0 && errno == EEXIST)
		return -EEXIST;
	if (fd < 0)
		return hull_error_errno(err, "lease `%s`", path);
	if (write(fd, id, strlen(id)) < 0) {
		ret = hull_error_errno(err, "lease `%s`", path);
		unlink(path);
		return ret;
	}
	return 0;
}

bool net_name_valid(const char *name, size_t max)
{
	size_t len = strlen(name);

	if (len == 0 || len > max || name[0] == '-' || name[0] == '.')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

int net_address_lease(const char *leases, const char *id, struct in_addr a, struct hull_error **err)
{
	char text[INET_ADDRSTRLEN];
	cleanup_free char *path = NULL;
	int ret;

	if (asprintf(&path, "%s/%s", leases, inet_ntop(AF_INET, &a, text, sizeof(text))) < 0)
		return hull_error_set(err, ENOMEM, "lease");
	if ((ret = fs_mkdir_parents(leases, 0700, err)) < 0)
		return ret;
	return net_lease_create(path, id, err);
}

int net_address_lease_first(const char *leases, const char *id, uint32_t first, uint32_t last,
			    struct in_addr skip, struct in_addr *out, struct hull_error **err)
{
	for (uint32_t h = first; h >= first && h <= last; h++) {
		struct in_addr a = {htonl(h)};
		int ret;
		if (a.s_addr == skip.s_addr)
			continue;
		if ((ret = net_address_lease(leases, id, a, err)) == -EEXIST)
			continue;
		if (ret < 0)
			return ret;
		*out = a;
		return 0;
	}
	return -EADDRNOTAVAIL;
}

void net_address_release(const char *leases, struct in_addr a)
{
	char text[INET_ADDRSTRLEN];
	cleanup_free char *path = NULL;

	if (asprintf(&path, "%s/%s", leases, inet_ntop(AF_INET, &a, text, sizeof(text))) >= 0)
		unlink(path);
}

char *net_record_path(const char *dir, const char *id)
{
	char *path = NULL;
	return asprintf(&path, "%s/containers/%s.json", dir, id) < 0 ? NULL : path;
}

static json_object *ports_to_json(const struct net_ports *ports)
{
	json_object *array = json_object_new_array();
	char ip[INET_ADDRSTRLEN];

	for (size_t i = 0; i < ports->count; i++) {
		const struct net_port *p = &ports->items[i];
		json_object *o = json_object_new_object();
		inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
		json_object_object_add(o, "protocol", json_object_new_string(net_proto_name(p->proto)));
		json_object_object_add(o, "host_ip", json_object_new_string(ip));
		json_object_object_add(o, "host_port", json_object_new_int((int)p->host_port));
		json_object_object_add(o, "port", json_object_new_int((int)p->port));
		json_object_array_add(array, o);
	}
	return array;
}

static int ports_from_json(json_object *doc, const char *where, struct net_ports *ports,
			   struct hull_error **err)
{
	json_object *array = NULL;
	int ret;

	if ((ret = json_field_array(doc, where, "ports", &array, err)) < 0 || array == NULL)
		return ret;
	for (size_t i = 0; i < json_object_array_length(array); i++) {
		json_object *o = json_object_array_get_idx(array, i);
		const char *proto = json_get_string(o, "protocol", "tcp"),
			   *ip = json_get_string(o, "host_ip", "");
		int64_t host_port = 0, port = 0;
		struct net_port p = {.proto = strcmp(proto, "udp") == 0 ? NET_UDP : NET_TCP};
		struct net_port *grown;
		if ((ret = json_field_int64(o, where, "host_port", 1, 65535, &host_port, err)) < 0 ||
		    (ret = json_field_int64(o, where, "port", 1, 65535, &port, err)) < 0)
			return ret;
		if (inet_pton(AF_INET, ip, &p.host_ip) != 1)
			return hull_error_invalid(err, "`%s`: port host_ip `%s` is not IPv4", where, ip);
		p.host_port = (unsigned)host_port;
		p.port = (unsigned)port;
		if ((grown = realloc(ports->items, (ports->count + 1) * sizeof(*grown))) == NULL)
			return hull_error_set(err, ENOMEM, "`%s`", where);
		ports->items = grown;
		ports->items[ports->count++] = p;
	}
	return 0;
}

int net_record_write(const char *dir, const struct net_record *r, struct hull_error **err)
{
	cleanup_free char *path = net_record_path(dir, r->id), *containers = NULL;
	json_object *doc = json_object_new_object();
	char address[INET_ADDRSTRLEN], gateway[INET_ADDRSTRLEN];
	const char *text;
	int ret;

	if (path == NULL || asprintf(&containers, "%s/containers", dir) < 0) {
		json_object_put(doc);
		return hull_error_set(err, ENOMEM, "network");
	}
	json_object_object_add(doc, "id", json_object_new_string(r->id));
	json_object_object_add(doc, "mode", json_object_new_string(r->mode));
	if (r->pid > 0) {
		json_object_object_add(doc, "pid", json_object_new_int(r->pid));
		json_object_object_add(doc, "start_time", json_object_new_uint64(r->start_time));
	}
	if (r->veth[0] || r->uplink[0] || r->switch_name[0] || r->address.s_addr) {
		char host[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &r->address, address, sizeof(address));
		inet_ntop(AF_INET, &r->gateway, gateway, sizeof(gateway));
		inet_ntop(AF_INET, &r->host, host, sizeof(host));
		if (r->veth[0])
			json_object_object_add(doc, "veth", json_object_new_string(r->veth));
		if (r->switch_name[0])
			json_object_object_add(doc, "switch", json_object_new_string(r->switch_name));
		if (r->uplink[0]) {
			json_object_object_add(doc, "uplink", json_object_new_string(r->uplink));
			json_object_object_add(doc, "helper", json_object_new_string(r->helper));
			json_object_object_add(
			    doc, "driver",
			    json_object_new_string(r->driver == NET_LAN_IPVLAN ? "ipvlan" : "macvlan"));
		}
		json_object_object_add(doc, "host", json_object_new_string(host));
		json_object_object_add(doc, "address", json_object_new_string(address));
		json_object_object_add(doc, "gateway", json_object_new_string(gateway));
		json_object_object_add(doc, "prefix", json_object_new_int((int)r->prefix));
	}
	json_object_object_add(doc, "ports", ports_to_json(&r->ports));
	if (r->name[0])
		json_object_object_add(doc, "name", json_object_new_string(r->name));
	if (r->usermode[0]) {
		json_object_object_add(doc, "usermode", json_object_new_string(r->usermode));
		json_object_object_add(doc, "helper_pid", json_object_new_int(r->helper_pid));
		json_object_object_add(doc, "helper_start", json_object_new_uint64(r->helper_start));
	}
	if (r->cni[0]) {
		json_object_object_add(doc, "cni", json_object_new_string(r->cni));
		json_object_object_add(doc, "cni_path",
				       json_object_new_string(r->cni_path ? r->cni_path : ""));
		json_object_object_add(doc, "cni_config",
				       json_object_new_string(r->cni_config ? r->cni_config : ""));
		json_object_object_add(doc, "cni_result",
				       json_object_new_string(r->cni_result ? r->cni_result : ""));
	}
	if (r->root)
		json_object_object_add(doc, "root", json_object_new_string(r->root));
	if (r->extra_hosts)
		json_object_object_add(doc, "extra_hosts", json_object_new_string(r->extra_hosts));
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	ret = fs_mkdir_parents(containers, 0700, err);
	if (ret >= 0)
		ret = fs_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0600, err);
	json_object_put(doc);
	return ret;
}

/* The record's own fields; a record is hull's file, but it is checked as carefully as any input. */
static int record_fields(json_object *doc, const char *path, struct net_record *r, struct hull_error **err)
{
	const char *id = NULL, *mode = NULL, *veth = NULL, *address = NULL, *gateway = NULL, *name = NULL,
		   *root = NULL, *uplink = NULL, *helper = NULL, *driver = NULL, *host = NULL, *sw = NULL,
		   *cni = NULL, *cni_path = NULL, *cni_config = NULL, *cni_result = NULL, *usermode = NULL,
		   *extra = NULL;
	int64_t helper_pid = 0;
	int64_t pid = 0, prefix = 0;
	int ret;

	if ((ret = json_field_string(doc, path, "id", &id, err)) < 0 ||
	    (ret = json_field_string(doc, path, "mode", &mode, err)) < 0 ||
	    (ret = json_field_int64(doc, path, "pid", 0, 4194304, &pid, err)) < 0 ||
	    (ret = json_field_uint64(doc, path, "start_time", &r->start_time, err)) < 0 ||
	    (ret = json_field_string(doc, path, "veth", &veth, err)) < 0 ||
	    (ret = json_field_string(doc, path, "address", &address, err)) < 0 ||
	    (ret = json_field_string(doc, path, "gateway", &gateway, err)) < 0 ||
	    (ret = json_field_int64(doc, path, "prefix", 0, 32, &prefix, err)) < 0 ||
	    (ret = json_field_string(doc, path, "name", &name, err)) < 0 ||
	    (ret = json_field_string(doc, path, "root", &root, err)) < 0 ||
	    (ret = json_field_string(doc, path, "extra_hosts", &extra, err)) < 0 ||
	    (ret = json_field_string(doc, path, "uplink", &uplink, err)) < 0 ||
	    (ret = json_field_string(doc, path, "helper", &helper, err)) < 0 ||
	    (ret = json_field_string(doc, path, "driver", &driver, err)) < 0 ||
	    (ret = json_field_string(doc, path, "host", &host, err)) < 0 ||
	    (ret = json_field_string(doc, path, "switch", &sw, err)) < 0 ||
	    (ret = json_field_string(doc, path, "cni", &cni, err)) < 0 ||
	    (ret = json_field_string(doc, path, "cni_path", &cni_path, err)) < 0 ||
	    (ret = json_field_string(doc, path, "cni_config", &cni_config, err)) < 0 ||
	    (ret = json_field_string(doc, path, "cni_result", &cni_result, err)) < 0 ||
	    (ret = json_field_string(doc, path, "usermode", &usermode, err)) < 0 ||
	    (ret = json_field_int64(doc, path, "helper_pid", 0, 4194304, &helper_pid, err)) < 0 ||
	    (ret = json_field_uint64(doc, path, "helper_start", &r->helper_start, err)) < 0)
		return ret;
	if (usermode) {
		if (strcmp(usermode, "slirp4netns") != 0)
			return hull_error_invalid(err, "`%s`: usermode `%s` is not slirp4netns", path,
						  usermode);
		snprintf(r->usermode, sizeof(r->usermode), "%s", usermode);
		r->helper_pid = (pid_t)helper_pid;
	}
	if (cni) {
		if (strlen(cni) >= sizeof(r->cni) || cni_config == NULL || cni_path == NULL)
			return hull_error_invalid(err, "`%s`: cni, cni_path or cni_config is not valid",
						  path);
		snprintf(r->cni, sizeof(r->cni), "%s", cni);
		if ((r->cni_config = strdup(cni_config)) == NULL ||
		    (r->cni_path = strdup(cni_path)) == NULL ||
		    (r->cni_result = strdup(cni_result ? cni_result : "")) == NULL)
			return hull_error_set(err, ENOMEM, "`%s`", path);
	}
	if (host && inet_pton(AF_INET, host, &r->host) != 1)
		return hull_error_invalid(err, "`%s`: host `%s` is not IPv4", path, host);
	if (name && (strlen(name) >= sizeof(r->name) || !net_name_valid(name, NET_HOSTNAME_MAX)))
		return hull_error_invalid(err, "`%s`: name is not a host name", path);
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	if (root && *root == '/' && (r->root = strdup(root)) == NULL)
		return hull_error_set(err, ENOMEM, "`%s`", path);
	if (extra && !net_extra_hosts_valid(extra))
		return hull_error_invalid(err, "`%s`: extra_hosts are not /etc/hosts lines", path);
	if (extra && (r->extra_hosts = strdup(extra)) == NULL)
		return hull_error_set(err, ENOMEM, "`%s`", path);
	snprintf(r->id, sizeof(r->id), "%s", id ? id : "");
	snprintf(r->mode, sizeof(r->mode), "%s", mode ? mode : "");
	r->pid = (pid_t)pid;
	r->prefix = (unsigned)prefix;
	if (sw) {
		if (strlen(sw) >= sizeof(r->switch_name))
			return hull_error_invalid(err, "`%s`: switch name too long", path);
		snprintf(r->switch_name, sizeof(r->switch_name), "%s", sw);
	}
	if (veth || uplink || sw || address) {
		if ((veth && strlen(veth) >= sizeof(r->veth)) || address == NULL || gateway == NULL ||
		    inet_pton(AF_INET, address, &r->address) != 1 ||
		    inet_pton(AF_INET, gateway, &r->gateway) != 1)
			return hull_error_invalid(err, "`%s`: veth, address or gateway is not valid", path);
		snprintf(r->veth, sizeof(r->veth), "%s", veth ? veth : "");
	}
	if (uplink) {
		if (strlen(uplink) >= sizeof(r->uplink) || helper == NULL ||
		    strlen(helper) >= sizeof(r->helper))
			return hull_error_invalid(err, "`%s`: uplink or helper is not an interface name",
						  path);
		snprintf(r->uplink, sizeof(r->uplink), "%s", uplink);
		snprintf(r->helper, sizeof(r->helper), "%s", helper);
		r->driver = driver && strcmp(driver, "ipvlan") == 0 ? NET_LAN_IPVLAN : NET_LAN_MACVLAN;
	}
	return ports_from_json(doc, path, &r->ports, err);
}

int net_record_read(const char *dir, const char *id, struct net_record *r, struct hull_error **err)
{
	cleanup_free char *path = net_record_path(dir, id), *text = NULL;
	json_object *doc = NULL;
	int ret;

	*r = (struct net_record){0};
	if (path == NULL)
		return hull_error_set(err, ENOMEM, "network");
	if ((ret = fs_read_file(AT_FDCWD, path, &text, NULL, NULL)) < 0)
		return ret == -ENOENT ? ret : hull_error_set(err, -ret, "read `%s`", path);
	if ((ret = json_parse_text(text, strlen(text), path, &doc, err)) >= 0)
		ret = record_fields(doc, path, r, err);
	json_object_put(doc);
	if (ret < 0)
		net_record_free(r);
	return ret;
}

void net_record_free(struct net_record *r)
{
	net_ports_free(&r->ports);
	free(r->root);
	free(r->cni_config);
	free(r->cni_result);
	free(r->cni_path);
	free(r->extra_hosts);
	r->root = r->cni_config = r->cni_result = r->cni_path = r->extra_hosts = NULL;
}

/* Calls fn for each container id with a record; an id that is not valid (a stray file) is skipped. */
int net_records_each(const char *dir,
		     int (*fn)(const char *dir, const char *id, void *data, struct hull_error **err),
		     void *data, struct hull_error **err)
{
	cleanup_free char *path = NULL;
	cleanup_closedir DIR *d = NULL;
	struct dirent *e;
	int ret;

	if (asprintf(&path, "%s/containers", dir) < 0)
		return hull_error_set(err, ENOMEM, "network");
	if ((d = opendir(path)) == NULL)
		return errno == ENOENT ? 0 : hull_error_errno(err, "`%s`", path);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char id[256];
		if (n <= 5 || n - 5 >= sizeof(id) || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(n - 5), e->d_name);
		if (id_validate(id, NULL) < 0)
			continue;
		if ((ret = fn(dir, id, data, err)) < 0)
			return ret;
	}
	return 0;
}

void net_record_network(const struct net_record *r, char *out, size_t size)
{
	if (r->veth[0])
		snprintf(out, size, "local");
	else if (r->uplink[0])
		snprintf(out, size, "lan:%s", r->uplink);
	else if (r->switch_name[0])
		snprintf(out, size, "switch:%s", r->switch_name);
	else if (r->cni[0])
		snprintf(out, size, "cni:%s", r->cni);
	else
		snprintf(out, size, "%s", "");
}

bool net_record_alive(const struct net_record *r)
{
	return r->pid > 0 && process_is_alive(r->pid, r->start_time);
}
