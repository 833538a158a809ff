/* Credentials for registries, in the file podman and Docker read. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "image/auth_file.h"
#include "image/reference.h"
#include "util/cleanup.h"

/* `docker.io` and `index.docker.io` both mean Docker Hub; hull writes what podman writes. */
static const char *registry_key(const char *host)
{
	if (strcmp(host, "index.docker.io") == 0 || strcmp(host, "registry-1.docker.io") == 0)
		return "docker.io";
	return host;
}

static char *read_password_stdin(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);

	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int run_login(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"username", required_argument, NULL, 'u'},
	    {"password", required_argument, NULL, 'p'},
	    {"password-stdin", no_argument, NULL, 'S'},
	    HULL_REGISTRY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	struct registry_options o = {0};
	cleanup_registry struct registry *r = NULL;
	cleanup_free char *from_stdin = NULL;
	struct hull_error *err = NULL;
	const char *user = NULL, *password = NULL, *host;
	bool use_stdin = false;
	int c;

	(void)cli;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+u:p:", options, NULL)) != -1) {
		int k = hull_registry_option("login", c, optarg, &o);
		if (k < 0)
			return 1;
		if (k > 0)
			continue;
		if (c == 'u')
			user = optarg;
		else if (c == 'p')
			password = optarg;
		else if (c == 'S')
			use_stdin = true;
		else
			return hull_usage_error("login", "unknown option `%s`", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return hull_usage_error("login", "expected the registry (host[:port])");
	host = registry_key(argv[optind]);
	if (user == NULL)
		return hull_usage_error("login", "missing --username");
	if (use_stdin && (password = from_stdin = read_password_stdin()) == NULL)
		return hull_usage_error("login", "--password-stdin: nothing on standard input");
	if (password == NULL)
		return hull_usage_error("login", "missing --password or --password-stdin");
	o.username = user;
	o.password = password;
	/* Docker Hub's API lives on another host than its name. */
	if (registry_open(strcmp(host, "docker.io") == 0 ? "registry-1.docker.io" : host, &o, &r, &err) < 0 ||
	    registry_check(r, &err) < 0 || auth_file_store(o.auth_file, host, user, password, &err) < 0) {
		hull_error_wrap(&err, "login `%s`", host);
		return cli_fail(&err);
	}
	printf("Login Succeeded!\n");
	return 0;
}

const struct hull_command cmd_login = {
    .name = "login",
    .registry = true,
    .run = run_login,
    .summary = "check credentials with a registry and keep them",
    .help = "Usage: hull login -u USER (-p PASSWORD | --password-stdin) [--authfile FILE] REGISTRY\n\n"
	    "The credentials are tried against the registry first and kept only if it takes them, in\n"
	    "$REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json or ~/.docker/config.json.\n\n"
	    "Example:\n"
	    "  echo \"$TOKEN\" | hull login -u ci --password-stdin registry.example.com\n",
};

static int run_logout(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"authfile", required_argument, NULL, 'a'},
						{NULL, 0, NULL, 0}};
	struct hull_error *err = NULL;
	const char *file = NULL, *host;
	bool removed;
	int c;

	(void)cli;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		if (c != 'a')
			return hull_usage_error("logout", "unknown option `%s`", argv[optind - 1]);
		file = optarg;
	}
	if (argc - optind != 1)
		return hull_usage_error("logout", "expected the registry (host[:port])");
	host = registry_key(argv[optind]);
	if (auth_file_remove(file, host, &removed, &err) < 0) {
		hull_error_wrap(&err, "logout `%s`", host);
		return cli_fail(&err);
	}
	if (!removed) {
		fprintf(stderr, "hull: logout `%s`: not logged in\n", host);
		return 1;
	}
	printf("Removed login credentials for %s\n", host);
	return 0;
}

const struct hull_command cmd_logout = {
    .name = "logout",
    .run = run_logout,
    .summary = "forget the credentials for a registry",
    .help = "Usage: hull logout [--authfile FILE] REGISTRY\n\n"
	    "Example:\n"
	    "  hull logout registry.example.com\n",
};
