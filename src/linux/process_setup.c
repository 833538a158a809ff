#include "linux/process_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

int process_set_rlimits(const struct oci_process *p, struct hull_error **err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit r = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
		if (r.rlim_cur > r.rlim_max)
			return hull_error_invalid(err, "set %s: soft limit %llu is above hard limit %llu",
						  p->rlimits[i].name, (unsigned long long)r.rlim_cur,
						  (unsigned long long)r.rlim_max);
		if (setrlimit(p->rlimits[i].resource, &r) < 0) {
			if (errno == EPERM)
				return hull_error_fail(
				    err, EPERM,
				    "set %s to %llu:%llu: raising a hard limit needs CAP_SYS_RESOURCE, "
				    "which this host does not grant",
				    p->rlimits[i].name, (unsigned long long)r.rlim_cur,
				    (unsigned long long)r.rlim_max);
			return hull_error_errno(err, "set %s", p->rlimits[i].name);
		}
	}
	return 0;
}

int process_set_oom_score_adj(const struct oci_process *p, struct hull_error **err)
{
	char value[16];
	int len;

	if (!p->has_oom_score_adj)
		return 0;
	len = snprintf(value, sizeof(value), "%d", p->oom_score_adj);
	if (fs_write_file(AT_FDCWD, "/proc/self/oom_score_adj", value, len, err) < 0)
		return hull_error_wrap(err, "set oomScoreAdj %d", p->oom_score_adj);
	return 0;
}

int process_set_user(const struct oci_process *p, bool setgroups_allowed, struct hull_error **err)
{
	const struct oci_user *u = &p->user;

	if (setgroups_allowed) {
		gid_t *groups = (gid_t *)u->additional_gids;
		if (setgroups(u->n_additional_gids, groups) < 0)
			return hull_error_errno(err, "set additional groups");
	} else if (u->n_additional_gids) {
		return hull_error_fail(err, EPERM,
				       "set additional groups: setgroups is denied in this user namespace");
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hull_error_errno(err, "keep capabilities");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return hull_error_errno(err, "set gid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return hull_error_errno(err, "set uid %u", u->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return hull_error_errno(err, "reset keep capabilities");
	if (u->has_umask)
		umask(u->umask);
	return 0;
}

int process_set_sysctl(const struct oci_spec *spec, struct hull_error **err)
{
	for (size_t i = 0; i < spec->linux_.n_sysctl; i++) {
		char path[PATH_MAX];
		const char *key = spec->linux_.sysctl[i].key;
		const char *value = spec->linux_.sysctl[i].value;
		size_t n = snprintf(path, sizeof(path), "/proc/sys/%s", key);

		if (n >= sizeof(path))
			return hull_error_set(err, ENAMETOOLONG, "set sysctl `%s`", key);
		/* "net.ipv4.ip_forward" and "net/ipv4/ip_forward" name the same file. */
		for (char *c = path + 10; *c; c++)
			if (*c == '.')
				*c = '/';
		if (fs_write_file(AT_FDCWD, path, value, strlen(value), err) < 0)
			return hull_error_wrap(err, "set sysctl `%s`", key);
	}
	return 0;
}

static const char *env_lookup(const char *const *env, size_t n, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

int process_exec(const struct oci_process *p, const char *const *extra_env, struct hull_error **err)
{
	const char *program = p->args[0];
	size_t n_extra = 0;
	cleanup_free const char **envp = NULL;
	const char *path;
	int saved = ENOENT;

	while (extra_env && extra_env[n_extra])
		n_extra++;
	envp = calloc(p->n_env + n_extra + 1, sizeof(char *));
	if (envp == NULL)
		return hull_error_set(err, ENOMEM, "exec");
	for (size_t i = 0; i < p->n_env; i++)
		envp[i] = p->env[i];
	for (size_t i = 0; i < n_extra; i++)
		envp[p->n_env + i] = extra_env[i];

	if (strchr(program, '/')) {
		execve(program, (char *const *)p->args, (char *const *)envp);
		return hull_error_errno(err, "exec `%s`", program);
	}
	path = env_lookup((const char *const *)p->env, p->n_env, "PATH");
	if (path == NULL)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		char candidate[PATH_MAX];
		size_t len = strcspn(path, ":");
		if (snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)len, len ? path : ".", program) <
		    (int)sizeof(candidate)) {
			execve(candidate, (char *const *)p->args, (char *const *)envp);
			/* Keep the most telling error: a file that exists but cannot run beats "not found".
			 */
			if (errno != ENOENT && errno != ENOTDIR)
				saved = errno;
		}
		path += len;
		if (*path == ':')
			path++;
	}
	if (saved == ENOENT)
		return hull_error_fail(err, ENOENT, "exec `%s`: not found in $PATH", program);
	return hull_error_set(err, saved, "exec `%s`", program);
}
