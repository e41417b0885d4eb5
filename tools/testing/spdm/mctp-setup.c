// SPDX-License-Identifier: GPL-2.0-only
/*
 * mctp-setup - bring up MCTP over a serial line (DSP0253) in a test guest
 *
 *   mctp-setup TTY --local-eid E [--net N] [--route FIRST[-LAST]]...
 *              [--mtu M] [--route-mtu M] [--foreground]
 *
 * Puts TTY (ttyS1 or /dev/ttyS1) in raw mode at 115200 baud and attaches
 * the N_MCTP line discipline, which creates a netdev "mctpserial<K>" (K is
 * the lowest free index, not the tty's number).  Then over rtnetlink:
 * optionally sets the netdev's MCTP network (IFLA_AF_SPEC / AF_MCTP /
 * IFLA_MCTP_NET) and MTU (Linux fixes it at 68, so only 68 is accepted),
 * brings it up, gives it the local EID (RTM_NEWADDR, IFA_LOCAL) and adds a
 * route per --route (RTM_NEWROUTE: RTA_DST the first EID, rtm_dst_len the
 * number of further EIDs, RTA_OIF, optionally RTAX_MTU).
 *
 * Prints "NETDEV IFINDEX" on stdout, then forks: the parent exits 0, the
 * child keeps the tty open for ever (closing the last descriptor would
 * detach the line discipline and remove the netdev).  Any failure is
 * reported on stderr and exits non-zero before that point.
 *
 * Build: gcc -static -O2 -Wall -Wextra -o mctp-setup mctp-setup.c
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/mctp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/tty.h>

#ifndef N_MCTP
#define N_MCTP 28	/* include/uapi/linux/tty.h since Linux 5.15 */
#endif

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

#define MCTP_EID_MIN	8
#define MCTP_EID_MAX	254
#define MAX_ROUTES	32
#define MAX_NETDEVS	256
#define NAME_LEN	32

static const char *prog = "mctp-setup";

struct route {
	unsigned int first, last;
};

struct options {
	const char *tty;
	int local_eid;
	long net;		/* -1: leave it */
	long mtu;		/* -1: leave it */
	long route_mtu;		/* 0: the netdev's */
	bool foreground;
	struct route routes[MAX_ROUTES];
	int nr_routes;
};

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s TTY --local-eid E [--net N] [--route FIRST[-LAST]]...\n"
		"          [--mtu M] [--route-mtu M] [--foreground]\n"
		"\n"
		"Attach the MCTP serial line discipline to TTY (ttyS1 or /dev/ttyS1),\n"
		"configure the new mctpserial netdev, print \"NETDEV IFINDEX\" and\n"
		"keep the tty open in a background process.\n"
		"\n"
		"  --local-eid E      our EID (8-254)\n"
		"  --net N            MCTP network of the netdev (default: the kernel's, 1)\n"
		"  --route A[-B]      route EIDs A..B over the netdev (repeatable)\n"
		"  --mtu M            netdev MTU (mctp-serial only accepts 68)\n"
		"  --route-mtu M      MTU of the routes (RTAX_MTU; default the netdev's)\n"
		"  --foreground       hold the tty in the foreground instead of forking\n",
		prog);
}

static long parse_num(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		die("%s: '%s' is not a number in %ld..%ld", what, s, min, max);
	return v;
}

static void parse_route(struct options *o, const char *s)
{
	char buf[32], *dash;
	struct route *r;

	if (o->nr_routes == MAX_ROUTES)
		die("at most %d routes", MAX_ROUTES);
	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		die("--route: '%s' is not FIRST[-LAST]", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	r = &o->routes[o->nr_routes++];
	r->first = parse_num(buf, MCTP_EID_MIN, MCTP_EID_MAX, "--route");
	r->last = dash ? parse_num(dash, MCTP_EID_MIN, MCTP_EID_MAX, "--route") :
			 r->first;
	if (r->last < r->first)
		die("--route %s: the range goes down", s);
}

static void parse_options(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "local-eid", required_argument, NULL, 'e' },
		{ "net", required_argument, NULL, 'n' },
		{ "route", required_argument, NULL, 'r' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "route-mtu", required_argument, NULL, 'M' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->local_eid = -1;
	o->net = -1;
	o->mtu = -1;

	while ((c = getopt_long(argc, argv, "e:n:r:m:M:fh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'e':
			o->local_eid = parse_num(optarg, MCTP_EID_MIN,
						 MCTP_EID_MAX, "--local-eid");
			break;
		case 'n':
			o->net = parse_num(optarg, 1, UINT32_MAX, "--net");
			break;
		case 'r':
			parse_route(o, optarg);
			break;
		case 'm':
			o->mtu = parse_num(optarg, 1, INT32_MAX, "--mtu");
			break;
		case 'M':
			o->route_mtu = parse_num(optarg, 1, UINT32_MAX,
						 "--route-mtu");
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		exit(2);
	}
	o->tty = argv[optind];
	if (o->local_eid < 0)
		die("--local-eid is required");
}

/* tty */

static int open_tty(const char *name)
{
	struct termios tio;
	char path[PATH_MAX];
	int fd, ldisc;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/dev/%s", name);

	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	/* (N_MCTP has no termios ioctls: check before tcgetattr) */
	if (ioctl(fd, TIOCGETD, &ldisc))
		die("%s is not a tty: %s", path, strerror(errno));
	if (ldisc == N_MCTP)
		die("%s: the MCTP line discipline is attached already", path);
	if (tcgetattr(fd, &tio))
		die("%s is not a tty: %s", path, strerror(errno));
	cfmakeraw(&tio);
	tio.c_cflag &= ~CRTSCTS;
	tio.c_cflag |= CLOCAL | CREAD;
	if (cfsetispeed(&tio, B115200) || cfsetospeed(&tio, B115200))
		die("%s: cannot set 115200 baud", path);
	if (tcsetattr(fd, TCSANOW, &tio))
		die("%s: tcsetattr: %s", path, strerror(errno));
	tcflush(fd, TCIOFLUSH);
	return fd;
}

/* The mctpserial* netdevs in /sys/class/net; returns how many. */
static int list_netdevs(char names[][NAME_LEN], int max)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	dir = opendir("/sys/class/net");
	if (!dir)
		die("/sys/class/net: %s (is sysfs mounted?)", strerror(errno));
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "mctpserial", 10) ||
		    strlen(de->d_name) >= NAME_LEN)
			continue;
		if (n == max)
			break;
		snprintf(names[n++], NAME_LEN, "%s", de->d_name);
	}
	closedir(dir);
	return n;
}

static bool listed(char names[][NAME_LEN], int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

static int read_ifindex(const char *name)
{
	char path[PATH_MAX];
	FILE *f;
	int idx;

	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", name);
	f = fopen(path, "r");
	if (!f)
		die("%s: %s", path, strerror(errno));
	if (fscanf(f, "%d", &idx) != 1 || idx <= 0)
		die("%s: no interface index", path);
	fclose(f);
	return idx;
}

/*
 * Attach N_MCTP to @fd and return the netdev it created: the one
 * mctpserial* entry that was not there before.
 */
static int attach_mctp(int fd, const char *tty, char *name)
{
	static char before[MAX_NETDEVS][NAME_LEN], after[MAX_NETDEVS][NAME_LEN];
	int ldisc = N_MCTP, nb, na, i, found = -1;

	nb = list_netdevs(before, MAX_NETDEVS);
	if (ioctl(fd, TIOCSETD, &ldisc))
		die("%s: attaching the MCTP line discipline (N_MCTP %d): %s%s",
		    tty, N_MCTP, strerror(errno),
		    errno == EINVAL ? " (no CONFIG_MCTP_SERIAL?)" : "");
	na = list_netdevs(after, MAX_NETDEVS);

	for (i = 0; i < na; i++) {
		if (listed(before, nb, after[i]))
			continue;
		if (found >= 0)
			die("%s: more than one new netdev (%s, %s): was another tty attached meanwhile?",
			    tty, after[found], after[i]);
		found = i;
	}
	if (found < 0)
		die("%s: no new mctpserial netdev in /sys/class/net", tty);
	snprintf(name, NAME_LEN, "%s", after[found]);
	return read_ifindex(name);
}

/* rtnetlink */

struct nl {
	int fd;
	unsigned int seq;
};

struct req {
	struct nlmsghdr nh;
	char buf[512];
};

static void nl_open(struct nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		die("netlink socket: %s", strerror(errno));
	/* Error strings from the kernel, where it has them */
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("netlink bind: %s", strerror(errno));
	nl->seq = getpid();
}

static void *nl_init(struct req *r, int type, int flags, size_t hdrlen)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(hdrlen);
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return NLMSG_DATA(&r->nh);
}

static struct rtattr *nl_attr(struct req *r, int type, const void *data,
			      size_t len)
{
	size_t off = NLMSG_ALIGN(r->nh.nlmsg_len);
	struct rtattr *rta = (struct rtattr *)((char *)&r->nh + off);

	if (off + RTA_SPACE(len) > sizeof(*r))
		die("internal error: netlink request too long");
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = off + RTA_SPACE(len);
	return rta;
}

/* Nests carry NLA_F_NESTED: nla_parse_nested() rejects them without. */
static struct rtattr *nl_nest(struct req *r, int type)
{
	return nl_attr(r, type | NLA_F_NESTED, NULL, 0);
}

static void nl_nest_end(struct req *r, struct rtattr *nest)
{
	nest->rta_len = (char *)&r->nh + r->nh.nlmsg_len - (char *)nest;
}

/* The kernel's extended-ACK message, if there is one */
static const char *nl_ext_msg(struct nlmsghdr *nh)
{
	struct nlmsgerr *err = NLMSG_DATA(nh);
	size_t off = sizeof(*err);
	struct nlattr *a;

	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN);
	while (NLMSG_HDRLEN + off + NLA_HDRLEN <= nh->nlmsg_len) {
		a = (struct nlattr *)((char *)err + off);
		if (a->nla_len < NLA_HDRLEN ||
		    NLMSG_HDRLEN + off + a->nla_len > nh->nlmsg_len)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG &&
		    a->nla_len > NLA_HDRLEN)
			return (const char *)a + NLA_HDRLEN;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* Send @r and wait for its ACK; dies with @what on an error. */
static void nl_talk(struct nl *nl, struct req *r, const char *what)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nh;
	struct nlmsgerr *err;
	const char *msg;
	ssize_t n;
	int len;

	r->nh.nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		die("%s: netlink send: %s", what, strerror(errno));

	for (;;) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("%s: netlink receive: %s", what, strerror(errno));
		}
		len = n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != nl->seq)
				continue;
			if (nh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*err)))
				die("%s: short netlink ACK", what);
			err = NLMSG_DATA(nh);
			if (!err->error)
				return;
			msg = nl_ext_msg(nh);
			die("%s: %s%s%s", what, strerror(-err->error),
			    msg ? ": " : "", msg ? msg : "");
		}
	}
}

static void link_change(struct nl *nl, int ifindex, const char *dev,
			const struct options *o)
{
	struct rtattr *spec, *mctp;
	struct ifinfomsg *ifi;
	struct req r;
	char what[64];
	uint32_t v;

	if (o->net >= 0) {
		ifi = nl_init(&r, RTM_NEWLINK, 0, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = ifindex;
		spec = nl_nest(&r, IFLA_AF_SPEC);
		mctp = nl_nest(&r, AF_MCTP);
		v = o->net;
		nl_attr(&r, IFLA_MCTP_NET, &v, sizeof(v));
		nl_nest_end(&r, mctp);
		nl_nest_end(&r, spec);
		snprintf(what, sizeof(what), "%s: MCTP net %ld", dev, o->net);
		nl_talk(nl, &r, what);
	}

	if (o->mtu >= 0) {
		ifi = nl_init(&r, RTM_NEWLINK, 0, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = ifindex;
		v = o->mtu;
		nl_attr(&r, IFLA_MTU, &v, sizeof(v));
		snprintf(what, sizeof(what), "%s: MTU %ld", dev, o->mtu);
		nl_talk(nl, &r, what);
	}

	ifi = nl_init(&r, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	snprintf(what, sizeof(what), "%s: bringing it up", dev);
	nl_talk(nl, &r, what);
}

static void add_address(struct nl *nl, int ifindex, const char *dev,
			uint8_t eid)
{
	struct ifaddrmsg *ifa;
	struct req r;
	char what[64];

	ifa = nl_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
		      sizeof(*ifa));
	ifa->ifa_family = AF_MCTP;
	ifa->ifa_index = ifindex;
	nl_attr(&r, IFA_LOCAL, &eid, 1);
	snprintf(what, sizeof(what), "%s: local EID %u", dev, eid);
	nl_talk(nl, &r, what);
}

static void add_route(struct nl *nl, int ifindex, const char *dev,
		      const struct route *rt, uint32_t mtu)
{
	uint32_t oif = ifindex;
	struct rtattr *metrics;
	struct rtmsg *rtm;
	struct req r;
	char what[80];
	uint8_t dst = rt->first;

	rtm = nl_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
		      sizeof(*rtm));
	rtm->rtm_family = AF_MCTP;
	/* MCTP routes cover rtm_dst_len EIDs after RTA_DST */
	rtm->rtm_dst_len = rt->last - rt->first;
	rtm->rtm_table = RT_TABLE_DEFAULT;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	nl_attr(&r, RTA_DST, &dst, 1);
	nl_attr(&r, RTA_OIF, &oif, sizeof(oif));
	if (mtu) {
		metrics = nl_nest(&r, RTA_METRICS);
		nl_attr(&r, RTAX_MTU, &mtu, sizeof(mtu));
		nl_nest_end(&r, metrics);
	}
	snprintf(what, sizeof(what), "%s: route %u-%u", dev, rt->first,
		 rt->last);
	nl_talk(nl, &r, what);
}

/* Keep running (and so the tty open) until killed. */
static void __attribute__((noreturn)) hold(void)
{
	int null;

	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	char dev[NAME_LEN];
	struct options o;
	struct nl nl;
	int fd, ifindex, i;
	pid_t pid;

	parse_options(&o, argc, argv);

	fd = open_tty(o.tty);
	ifindex = attach_mctp(fd, o.tty, dev);

	nl_open(&nl);
	link_change(&nl, ifindex, dev, &o);
	add_address(&nl, ifindex, dev, o.local_eid);
	for (i = 0; i < o.nr_routes; i++)
		add_route(&nl, ifindex, dev, &o.routes[i], o.route_mtu);
	close(nl.fd);

	printf("%s %d\n", dev, ifindex);
	fflush(stdout);

	if (o.foreground)
		hold();

	/* The tty descriptor is inherited: the child keeps the netdev. */
	signal(SIGHUP, SIG_IGN);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid > 0)
		return 0;
	setsid();
	hold();
}
