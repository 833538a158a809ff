/* hull inspect of a container: Docker's document, with Docker's field names, from the record, the
 * monitor's run.json and exit.json, the runtime's state and the network's record. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "net/state.h"
#include "util/cleanup.h"
#include "util/json.h"

static json_object *copy_member(json_object *from, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(from, key, &v) ? json_object_get(v) : NULL;
}

static json_object *state_doc(const struct app_state *st)
{
	json_object *s = json_object_new_object();

	json_object_object_add(s, "Status", json_object_new_string(app_status_name(st->status)));
	json_object_object_add(
	    s, "Running", json_object_new_boolean(st->status == APP_RUNNING || st->status == APP_PAUSED));
	json_object_object_add(s, "Paused", json_object_new_boolean(st->status == APP_PAUSED));
	json_object_object_add(s, "Restarting", json_object_new_boolean(st->status == APP_RESTARTING));
	json_object_object_add(s, "OOMKilled", json_object_new_boolean(st->oom_killed));
	json_object_object_add(s, "Dead", json_object_new_boolean(0));
	json_object_object_add(
	    s, "Pid",
	    json_object_new_int(st->status == APP_RUNNING || st->status == APP_PAUSED ? st->pid : 0));
	json_object_object_add(s, "ExitCode",
			       json_object_new_int(st->status == APP_EXITED || st->status == APP_RESTARTING
						       ? st->exit_code
						       : 0));
	json_object_object_add(s, "Error", json_object_new_string(""));
	json_object_object_add(
	    s, "StartedAt",
	    json_object_new_string(*st->started_at ? st->started_at : "0001-01-01T00:00:00Z"));
	json_object_object_add(
	    s, "FinishedAt",
	    json_object_new_string(*st->finished_at ? st->finished_at : "0001-01-01T00:00:00Z"));
	return s;
}

/* Docker's "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}] from the network's record. */
static json_object *ports_doc(const struct net_record *r)
{
	json_object *ports = json_object_new_object();

	for (size_t i = 0; i < r->ports.count; i++) {
		const struct net_port *p = &r->ports.items[i];
		char key[32], host_port[16], ip[INET_ADDRSTRLEN];
		json_object *list, *binding = json_object_new_object();
		snprintf(key, sizeof(key), "%u/%s", p->port, net_proto_name(p->proto));
		snprintf(host_port, sizeof(host_port), "%u", p->host_port);
		inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
		json_object_object_add(binding, "HostIp", json_object_new_string(ip));
		json_object_object_add(binding, "HostPort", json_object_new_string(host_port));
		if (!json_object_object_get_ex(ports, key, &list)) {
			list = json_object_new_array();
			json_object_object_add(ports, key, list);
		}
		json_object_array_add(list, binding);
	}
	return ports;
}

static json_object *network_doc(const struct app_container *c, const char *mode)
{
	json_object *n = json_object_new_object(), *networks = json_object_new_object(),
		    *one = json_object_new_object();
	const char *state = getenv("HULL_NETWORK_STATE");
	struct net_record r = {0};
	char address[INET_ADDRSTRLEN] = "", gateway[INET_ADDRSTRLEN] = "";
	unsigned prefix = 0;

	if (net_record_read(state && *state ? state : net_default_state_dir(), c->id, &r, NULL) == 0) {
		if (r.address.s_addr)
			inet_ntop(AF_INET, &r.address, address, sizeof(address));
		if (r.gateway.s_addr)
			inet_ntop(AF_INET, &r.gateway, gateway, sizeof(gateway));
		prefix = r.prefix;
		json_object_object_add(n, "Ports", ports_doc(&r));
		net_record_free(&r);
	} else
		json_object_object_add(n, "Ports", json_object_new_object());
	json_object_object_add(n, "IPAddress", json_object_new_string(address));
	json_object_object_add(n, "Gateway", json_object_new_string(gateway));
	json_object_object_add(n, "IPPrefixLen", json_object_new_int((int)prefix));
	json_object_object_add(one, "IPAddress", json_object_new_string(address));
	json_object_object_add(one, "Gateway", json_object_new_string(gateway));
	json_object_object_add(one, "IPPrefixLen", json_object_new_int((int)prefix));
	json_object_object_add(networks, strcmp(mode, "local") == 0 ? "bridge" : mode, one);
	json_object_object_add(n, "Networks", networks);
	return n;
}

json_object *engine_inspect(struct engine *e, const struct app_container *c)
{
	json_object *o = json_object_new_object(), *host = NULL, *graph = json_object_new_object(),
		    *data = json_object_new_object();
	struct app_state st;
	cleanup_free char *name = NULL, *log = engine_path(e, c->id, "container.log"),
			  *bundle = engine_path(e, c->id, "bundle");
	char path[4200];

	engine_state(e, c, &st);
	json_object_object_get_ex(c->doc, "HostConfig", &host);
	json_object_object_add(o, "Id", json_object_new_string(c->id));
	json_object_object_add(o, "Created", copy_member(c->doc, "Created"));
	json_object_object_add(o, "Path", copy_member(c->doc, "Path"));
	json_object_object_add(o, "Args", copy_member(c->doc, "Args"));
	json_object_object_add(o, "State", state_doc(&st));
	json_object_object_add(o, "Image", copy_member(c->doc, "ImageID"));
	json_object_object_add(o, "LogPath", json_object_new_string(log ? log : ""));
	if (asprintf(&name, "/%s", app_container_name(c)) >= 0)
		json_object_object_add(o, "Name", json_object_new_string(name));
	json_object_object_add(o, "RestartCount", json_object_new_int(engine_restart_count(e, c)));
	json_object_object_add(o, "Driver", json_object_new_string("overlay"));
	json_object_object_add(o, "Platform", json_object_new_string("linux"));
	json_object_object_add(o, "HostConfig", json_object_get(host));
	snprintf(path, sizeof(path), "%s/.hull-upper", bundle ? bundle : "");
	json_object_object_add(data, "UpperDir", json_object_new_string(path));
	snprintf(path, sizeof(path), "%s/.hull-work", bundle ? bundle : "");
	json_object_object_add(data, "WorkDir", json_object_new_string(path));
	snprintf(path, sizeof(path), "%s/rootfs", bundle ? bundle : "");
	json_object_object_add(data, "MergedDir", json_object_new_string(path));
	json_object_object_add(graph, "Name", json_object_new_string("overlay"));
	json_object_object_add(graph, "Data", data);
	json_object_object_add(o, "GraphDriver", graph);
	json_object_object_add(o, "Mounts", copy_member(c->doc, "Mounts"));
	json_object_object_add(o, "Config", copy_member(c->doc, "Config"));
	json_object_object_add(o, "NetworkSettings",
			       network_doc(c, json_get_string(host, "NetworkMode", "local")));
	return o;
}
