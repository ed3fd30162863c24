#!/bin/sh
# The packet decoder's image: the node image plus Wireshark's dissectors (tshark) and brotli. It runs as
# the command of a container made from the node image, which the app then commits. tshark is
# not in the node image itself: it adds 174 MB and needs up to 160 MB of memory per decode,
# which no node should carry. The decoder runs beside the nodes, one per engine, only while
# packets are being decoded.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends tshark brotli >/dev/null

# The container's command: it lives while decodes come and exits once none came for $1
# seconds; the app starts it again on the next.
cat >/usr/local/sbin/nl-decoder <<'SCRIPT'
#!/bin/sh
# Each decode runs as a user of its own (see decoder.ts): the mark is everyone's to touch.
touch /tmp/nl-used && chmod 666 /tmp/nl-used
while sleep 15; do
  [ $(($(date +%s) - $(stat -c %Y /tmp/nl-used))) -lt "${1:-600}" ] || exit 0
done
SCRIPT
# One decode: a pcap on standard input, tshark's options as arguments, its output compressed.
# PDML is big and regular (10,000 pings are 121 MB of it, 2.5 MB as brotli at its fastest
# quality, which keeps up with tshark for a twentieth of its CPU time): the engine copies it
# from the container to the app several times over, which cost more than tshark's dissecting.
cat >/usr/local/bin/nl-decode <<'SCRIPT'
#!/bin/bash
set -o pipefail
touch /tmp/nl-used
tshark -r - "$@" | brotli --quality=1 --stdout
SCRIPT
chmod 0755 /usr/local/sbin/nl-decoder /usr/local/bin/nl-decode

apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/lib/dpkg/*-old \
  /usr/share/doc/* /usr/share/man/* /var/log/*.log /var/log/apt/*
