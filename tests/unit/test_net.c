/* net/: published port specs as Docker spells them, subnets and interface names. */
#include "unit.h"

#include <arpa/inet.h>
#include <stdlib.h>

#include "net/cni.h"
#include "net/dns.h"
#include "net/hosts.h"
#include "net/local.h"
#include "net/ports.h"
#include "net/switch_table.h"

static void ports_in_every_spelling(void **state)
{
	struct net_ports p = {0};
	struct hull_error *err = NULL;
	char ip[INET_ADDRSTRLEN];

	assert_int_equal(net_ports_parse(&p, "8080:80", &err), 0);
	assert_int_equal(net_ports_parse(&p, "127.0.0.1:9000:90/udp", &err), 0);
	assert_int_equal(net_ports_parse(&p, "7000-7002:70-72", &err), 0);
	assert_int_equal(net_ports_parse(&p, "443", &err), 0);
	assert_int_equal(net_ports_parse(&p, "10.1.2.3::53/udp", &err), 0);
	assert_int_equal(p.count, 7);
	assert_int_equal(p.items[0].proto, NET_TCP);
	assert_int_equal(p.items[0].host_ip.s_addr, INADDR_ANY);
	assert_int_equal(p.items[0].host_port, 8080);
	assert_int_equal(p.items[0].port, 80);
	assert_int_equal(p.items[1].proto, NET_UDP);
	assert_string_equal(inet_ntop(AF_INET, &p.items[1].host_ip, ip, sizeof(ip)), "127.0.0.1");
	assert_int_equal(p.items[1].host_port, 9000);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(p.items[2 + i].host_port, 7000 + i);
		assert_int_equal(p.items[2 + i].port, 70 + i);
	}
	/* No host port: hull picks one at setup. */
	assert_int_equal(p.items[5].host_port, 0);
	assert_int_equal(p.items[5].port, 443);
	assert_int_equal(p.items[6].host_port, 0);
	assert_string_equal(inet_ntop(AF_INET, &p.items[6].host_ip, ip, sizeof(ip)), "10.1.2.3");
	net_ports_free(&p);
}

static void bad_ports_are_refused_and_add_nothing(void **state)
{
	struct net_ports p = {0};
	struct hull_error *err = NULL;
	const char *bad[] = {"",	 "0:80", "80:0",	"70000:80",    "8080:80/sctp", "a:80",
			     "8080:-80", "+80",	 "1.2.3:80:80", "90-80:80-70", "8000-8001:80", "8080 :80",
			     "1:2:3:4"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (net_ports_parse(&p, bad[i], &err) == 0)
			fail_msg("`%s` was accepted", bad[i]);
		hull_error_free(&err);
	}
	assert_int_equal(p.count, 0);
	/* The cap counts ports, not arguments. */
	assert_int_equal(net_ports_parse(&p, "1-1000:1-1000", &err), 0);
	assert_fails_with(net_ports_parse(&p, "2001-2100:1-100", &err), err, "more than 1024");
	assert_int_equal(p.count, 1000);
	net_ports_free(&p);
}

static void subnets_and_bridge_names(void **state)
{
	struct hull_error *err = NULL;
	struct in_addr net;
	unsigned prefix;

	assert_int_equal(net_local_parse_subnet("10.99.0.0/16", &net, &prefix, &err), 0);
	assert_int_equal(prefix, 16);
	assert_int_equal(ntohl(net.s_addr), 0x0a630000);
	assert_fails_with(net_local_parse_subnet("10.99.0.1/24", &net, &prefix, &err), err, "host bits");
	assert_fails_with(net_local_parse_subnet("10.99.0.0/31", &net, &prefix, &err), err, "8 to 30");
	assert_fails_with(net_local_parse_subnet("10.99.0.0", &net, &prefix, &err), err, "A.B.C.D/N");
	assert_fails_with(net_local_parse_subnet("10.99.0.0/2x", &net, &prefix, &err), err, "8 to 30");
	assert_true(net_local_bridge_name_valid("hull0"));
	assert_false(net_local_bridge_name_valid(""));
	assert_false(net_local_bridge_name_valid("a/b"));
	assert_false(net_local_bridge_name_valid("x\" accept"));
	assert_false(net_local_bridge_name_valid("sixteen-chars-xx"));
}

static void resolv_conf_replaces_a_loopback_stub(void **state)
{
	const char *host = "# managed\nnameserver 127.0.0.53\nnameserver 192.0.2.9 # office\n"
			   "search lan.example corp.example\noptions edns0 trust-ad\n";
	const char *upstream = "nameserver 198.51.100.1\nnameserver ::1\nnameserver 2001:db8::1\n";
	struct net_dns_options none = {0};
	struct hull_error *err = NULL;
	char *out = NULL;
	size_t servers;

	assert_int_equal(net_resolv_conf_build(host, upstream, false, &none, &out, &servers, &err), 0);
	assert_int_equal(servers, 3);
	assert_non_null(
	    strstr(out, "nameserver 198.51.100.1\nnameserver 2001:db8::1\nnameserver 192.0.2.9\n"));
	assert_null(strstr(out, "127.0.0.53"));
	assert_null(strstr(out, "nameserver ::1\n"));
	assert_non_null(strstr(out, "search lan.example corp.example\n"));
	assert_non_null(strstr(out, "options edns0 trust-ad\n"));
	free(out);
	/* Sharing the host's network keeps the stub. */
	assert_int_equal(net_resolv_conf_build(host, upstream, true, &none, &out, &servers, &err), 0);
	assert_non_null(strstr(out, "nameserver 127.0.0.53\n"));
	free(out);
	/* A stub with no upstream file: no server at all, which setup reports. */
	assert_int_equal(
	    net_resolv_conf_build("nameserver 127.0.1.1\n", NULL, false, &none, &out, &servers, &err), 0);
	assert_int_equal(servers, 0);
	free(out);
}

static void resolv_conf_overrides_and_hostile_lines(void **state)
{
	const char *servers_given[] = {"9.9.9.9", NULL}, *search[] = {"a.example", NULL};
	struct net_dns_options o = {.servers = servers_given, .search = search};
	struct hull_error *err = NULL;
	char *out = NULL;
	size_t servers;

	assert_int_equal(net_resolv_conf_build("nameserver 1.1.1.1\nsearch x.example\noptions ndots:3\n",
					       NULL, false, &o, &out, &servers, &err),
			 0);
	assert_int_equal(servers, 1);
	assert_null(strstr(out, "1.1.1.1"));
	assert_non_null(strstr(out, "search a.example\n"));
	assert_non_null(strstr(out, "options ndots:3\n"));
	free(out);
	/* Carriage returns, tabs and overlong words never become lines of their own. */
	assert_int_equal(net_resolv_conf_build("nameserver\t10.0.0.1\r\nsearch a\rb\n", NULL, false,
					       &(struct net_dns_options){0}, &out, &servers, &err),
			 0);
	assert_int_equal(servers, 1);
	assert_non_null(strstr(out, "nameserver 10.0.0.1\n"));
	assert_null(strchr(out, '\r'));
	free(out);
	assert_fails_with(net_dns_server_valid("1.2.3", &err), err, "not an IPv4 or IPv6");
	assert_int_equal(net_dns_server_valid("2001:db8::53", &err), 0);
}

static void frame(uint8_t *f, const uint8_t dst[6], const uint8_t src[6])
{
	memset(f, 0, 60);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
}

static void switch_learns_floods_and_forgets(void **state)
{
	static struct net_mac_table t;
	const uint8_t a[6] = {0x02, 0, 0, 0, 0, 0xa}, b[6] = {0x02, 0, 0, 0, 0, 0xb},
		      broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		      multi[6] = {0x01, 0, 0x5e, 0, 0, 1};
	uint8_t f[60];

	memset(&t, 0, sizeof(t));
	/* Unknown and broadcast destinations flood; a learned one goes to its port. */
	frame(f, b, a);
	assert_int_equal(net_mac_route(&t, f, sizeof(f), 1, 100), -1);
	net_mac_learn(&t, f, sizeof(f), 1, 100);
	frame(f, a, b);
	assert_int_equal(net_mac_route(&t, f, sizeof(f), 2, 101), 1);
	net_mac_learn(&t, f, sizeof(f), 2, 101);
	frame(f, broadcast, a);
	assert_int_equal(net_mac_route(&t, f, sizeof(f), 1, 102), -1);
	/* Back out of the port it came from: dropped. */
	frame(f, a, b);
	assert_int_equal(net_mac_route(&t, f, sizeof(f), 1, 103), -2);
	/* A multicast source is never learned; a short frame is not routed. */
	frame(f, b, multi);
	net_mac_learn(&t, f, sizeof(f), 3, 104);
	frame(f, multi, a);
	assert_int_equal(net_mac_route(&t, f, sizeof(f), 2, 104), -1);
	assert_int_equal(net_mac_route(&t, f, 13, 2, 104), -1);
	/* A station that moves is learned on its new port; entries age out; a closed port forgets. */
	frame(f, b, a);
	net_mac_learn(&t, f, sizeof(f), 4, 105);
	frame(f, a, b);
	assert_int_equal(net_mac_route(&t, f, sizeof(f), 2, 105), 4);
	assert_int_equal(net_mac_route(&t, f, sizeof(f), 2, 105 + NET_MAC_AGE_SECONDS + 1), -1);
	net_mac_forget_port(&t, 4);
	assert_int_equal(net_mac_route(&t, f, sizeof(f), 2, 106), -1);
}

static void switch_table_survives_more_stations_than_slots(void **state)
{
	static struct net_mac_table t;
	uint8_t f[60], dst[6] = {0x02, 1, 1, 1, 1, 1}, src[6] = {0x02};

	memset(&t, 0, sizeof(t));
	for (uint32_t i = 0; i < 3 * NET_MAC_TABLE_SIZE; i++) {
		memcpy(src + 2, &i, 4);
		frame(f, dst, src);
		net_mac_learn(&t, f, sizeof(f), (int)(i % 7), 1000 + i / 100);
	}
	/* The newest stations are found; nothing crashed or looped. */
	frame(f, src, dst);
	assert_int_equal(net_mac_route(&t, f, sizeof(f), 9, 1000 + (3 * NET_MAC_TABLE_SIZE - 1) / 100),
			 (int)((3 * NET_MAC_TABLE_SIZE - 1) % 7));
}

static void cni_results_give_their_first_ipv4_address(void **state)
{
	struct hull_error *err = NULL;
	struct in_addr a, gw;
	unsigned prefix;
	char text[INET_ADDRSTRLEN];

	assert_int_equal(
	    net_cni_result_address("{\"cniVersion\": \"1.0.0\", \"ips\": [{\"address\": \"fd00::2/64\"}, "
				   "{\"address\": \"10.96.0.7/24\", \"gateway\": \"10.96.0.1\"}]}",
				   &a, &prefix, &gw, &err),
	    0);
	assert_string_equal(inet_ntop(AF_INET, &a, text, sizeof(text)), "10.96.0.7");
	assert_int_equal(prefix, 24);
	assert_string_equal(inet_ntop(AF_INET, &gw, text, sizeof(text)), "10.96.0.1");
	assert_fails_with(
	    net_cni_result_address("{\"ips\": [{\"address\": \"10.0.0.1/99\"}]}", &a, &prefix, &gw, &err),
	    err, "no IPv4 address");
	assert_fails_with(net_cni_result_address("{\"ips\": 7}", &a, &prefix, &gw, &err), err,
			  "no IPv4 address");
	assert_fails_with(net_cni_result_address("not json", &a, &prefix, &gw, &err), err, "CNI result");
}

static void extra_hosts_in_every_spelling_and_refused(void **state)
{
	const char *good[] = {"db:10.9.9.9", "v6=[fd00::0007]", "gw:host-gateway", "six:2001:db8::1"};
	const char *bad[] = {"noaddress", "bad name:1.2.3.4", "x:1.2.3", "x:[1.2.3.4", ":1.2.3.4", "y:"};
	struct in_addr host = {htonl(0x0a580001)}, none = {0};
	struct hull_error *err = NULL;
	char *text = NULL;

	assert_int_equal(net_extra_hosts_text(good, 4, &host, &text, &err), 0);
	assert_string_equal(text, "10.9.9.9\tdb\nfd00::7\tv6\n10.88.0.1\tgw\n2001:db8::1\tsix\n");
	assert_true(net_extra_hosts_valid(text));
	free(text);
	/* host-gateway needs a network that gives the host's address. */
	assert_int_equal(net_extra_hosts_text(good + 2, 1, &none, &text, &err), -EINVAL);
	assert_null(text);
	assert_non_null(strstr(err->message, "host-gateway"));
	hull_error_free(&err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(net_extra_host_check(bad[i], &err), -EINVAL);
		assert_non_null(strstr(err->message, "--add-host"));
		hull_error_free(&err);
	}
	/* A record's text that would add anything but NAME lines is refused when read back. */
	assert_false(net_extra_hosts_valid("1.2.3.4\tok\n1.2.3.4\tx y\n"));
	assert_false(net_extra_hosts_valid("1.2.3.4\tno-newline"));
	assert_false(net_extra_hosts_valid("not-an-ip\tname\n"));
	assert_true(net_extra_hosts_valid(""));
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ports_in_every_spelling),
	    cmocka_unit_test(bad_ports_are_refused_and_add_nothing),
	    cmocka_unit_test(subnets_and_bridge_names),
	    cmocka_unit_test(resolv_conf_replaces_a_loopback_stub),
	    cmocka_unit_test(resolv_conf_overrides_and_hostile_lines),
	    cmocka_unit_test(switch_learns_floods_and_forgets),
	    cmocka_unit_test(cni_results_give_their_first_ipv4_address),
	    cmocka_unit_test(switch_table_survives_more_stations_than_slots),
	    cmocka_unit_test(extra_hosts_in_every_spelling_and_refused),
	};
	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
