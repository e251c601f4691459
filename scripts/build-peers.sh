#!/usr/bin/env bash
# Builds OpenBMC's C peers for the interop and differential tests from ../shared/peers
# (unmodified libmctp and libpldm; never copied into the project) into .peers/:
#   .peers/mctp-demux-daemon   libmctp's userspace MCTP daemon, serial binding
#   .peers/pldm-harness        test/interop/pldm-harness.c against libpldm's decoders
# usage: scripts/build-peers.sh [PEERS_DIR] [OUT_DIR]. Needs gcc and libpcap-dev.
# Prints nothing and exits 0 when PEERS_DIR is absent (the tests then skip, saying why).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers=${1:-$root/../shared/peers}
out=${2:-$root/.peers}
[ -d "$peers/libmctp" ] || exit 0
peers=$(cd "$peers" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

# libmctp: the defines its meson build would set for the demux daemon with the serial binding.
mctp=$peers/libmctp
gen=$out/libmctp-gen
mkdir -p "$gen"
printf '/* config.h for a direct gcc build */\n' >"$gen/config.h"
printf '#define MCTP_SIZEOF_STRUCT_MCTP 0\n#define MCTP_SIZEOF_BINDING_I2C 0\n' >"$gen/libmctp-sizes.h"
gcc -O2 -std=gnu11 -w -I "$gen" -I "$mctp" \
  -DHAVE_CONFIG_H -DHAVE_PCAP=1 -DMCTP_DEFAULT_ALLOC -DMCTP_MAX_MESSAGE_SIZE=65536 -DMCTP_REASSEMBLY_CTXS=16 \
  -DMCTP_REQ_TAGS=16 -DMCTP_DEFAULT_CLOCK_GETTIME=1 -DMCTP_CONTROL_HANDLER=1 -DI2C_BTU=64 -DMCTP_I2C_NEIGH_COUNT=4 \
  -DMCTP_HAVE_FILEIO -DMCTP_HAVE_STDIO -DMCTP_HAVE_SYSLOG \
  "$mctp"/{core,alloc,serial,astlpc,crc-16-ccitt,crc32,log,control}.c \
  "$mctp"/utils/mctp-demux-daemon.c "$mctp"/utils/mctp-capture.c -lpcap -o "$out/mctp-demux-daemon"

# libpldm: only the sources the harness decodes with. Its meson build needs a newer meson than
# Debian's, so the two generated headers are made here as meson would, with every ABI class on.
pldm=$peers/libpldm
if [ -d "$pldm" ]; then
  gen=$out/libpldm-gen
  mkdir -p "$gen/libpldm"
  sed 's/^#mesondefine \(.*\)$/#define \1 1/' "$pldm/include/libpldm/api.h.in" >"$gen/libpldm/api.h"
  sed 's/^#mesondefine \(.*\)$/#define \1 1/' "$pldm/config.h.in" >"$gen/config.h"
  gcc -O1 -std=gnu17 -w -include "$gen/config.h" -I "$gen" -I "$pldm/include" -I "$pldm/src" \
    "$root/test/interop/pldm-harness.c" "$pldm"/src/dsp/base.c "$pldm"/src/oem/ibm/file_io.c "$pldm"/src/oem/ibm/host.c \
    -o "$out/pldm-harness"
fi
