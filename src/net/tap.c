#include "net/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/cleanup.h"

int net_tap_create(int netns_fd, const char *name, struct hull_error **err)
{
	cleanup_close int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	cleanup_close int fd = -1;
	struct ifreq ifr = {0};
	int saved = 0, ret;

	if (self < 0)
		return hull_error_errno(err, "open the current network namespace");
	if (strlen(name) >= IFNAMSIZ)
		return hull_error_invalid(err, "tap `%s`: name too long", name);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	/* The tap belongs to the namespace /dev/net/tun was opened in (not the one of the ioctl), so the
	 * open happens inside; only the network namespace changes, so the path is still the host's node. */
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return hull_error_errno(err, "enter the container's network namespace");
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	ret = fd < 0 ? -1 : ioctl(fd, TUNSETIFF, &ifr);
	saved = errno;
	if (setns(self, CLONE_NEWNET) < 0)
		return hull_error_errno(err, "return to the host's network namespace");
	if (fd < 0)
		return hull_error_set(err, saved, "open /dev/net/tun");
	if (ret < 0)
		return hull_error_set(err, saved, "create tap `%s`", name);
	ret = fd;
	fd = -1;
	return ret;
}
