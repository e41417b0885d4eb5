#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Collect notifications of a generic netlink family with the kernel's own
YNL library (tools/net/ynl/lib), for the integration tests.

The YNL CLI of Linux 6.12 cannot do this reliably: with --subscribe and
--do, a notification that arrives before the reply makes it fail, and
--subscribe alone reads only what is queued once its --sleep is over.
This joins the groups, creates the --ready file so that the caller knows
it may go on, and prints the notifications as one JSON list (binary
attributes in hex, as the CLI prints them) once --count arrived or
--timeout passed.

    ynl_listen.py --ynl DIR --spec FILE --group NAME [--group NAME]
                  --count N [--timeout SECONDS] --ready FILE
"""

import argparse
import json
import select
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--ynl', required=True,
                    help="directory of the kernel's cli.py and lib/")
    ap.add_argument('--spec', required=True)
    ap.add_argument('--group', action='append', required=True)
    ap.add_argument('--count', type=int, required=True)
    ap.add_argument('--timeout', type=float, default=30)
    ap.add_argument('--ready', required=True)
    args = ap.parse_args()

    sys.path.insert(0, args.ynl)
    from lib import YnlFamily

    # A socket joins one group in YNL: one family object a group
    families = []
    for group in args.group:
        f = YnlFamily(args.spec, '')
        f.ntf_subscribe(group)
        families.append(f)
    with open(args.ready, 'w'):
        pass

    msgs = []
    deadline = time.monotonic() + args.timeout
    while len(msgs) < args.count and time.monotonic() < deadline:
        select.select([f.sock for f in families], [], [], 0.2)
        for f in families:
            f.check_ntf()
            msgs += f.async_msg_queue
            f.async_msg_queue.clear()
    print(json.dumps(msgs, default=lambda o: o.hex()
                     if isinstance(o, bytes) else list(o)))
    return 0 if len(msgs) >= args.count else 1


if __name__ == '__main__':
    sys.exit(main())
