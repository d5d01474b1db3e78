#!/bin/sh
# Debian's chromium in a scheduling group of its own, ahead of the machine's others (bench/room.py --visitor-apart):
# a session of its own is its own group on Linux (autogroup), and the group's nice sets its share against the others'
# (the server's, the bench's light clients'), as if the browser were on a machine of its own.
exec setsid -w sh -c 'echo -10 > /proc/self/autogroup 2>/dev/null; exec /usr/bin/chromium "$@"' chromium "$@"
