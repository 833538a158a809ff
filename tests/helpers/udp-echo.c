/* udp-echo PORT TEXT: answers every UDP datagram on PORT with TEXT, for the published-port tests.  Built
 * static by the test itself and copied into a busybox root, whose busybox has no UDP server. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[512];

	if (argc != 3 || fd < 0)
		return 2;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("udp-echo: bind");
		return 1;
	}
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) < 0)
			continue;
		sendto(fd, argv[2], strlen(argv[2]), 0, (struct sockaddr *)&from, len);
	}
}
