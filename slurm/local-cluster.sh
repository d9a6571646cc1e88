#!/usr/bin/env bash
# A throw-away one-node Slurm cluster on loopback, for the tests and for trying the job scripts
# on a workstation: its own ports, state, spool and munge socket under DIR; no systemd.
#   bash slurm/local-cluster.sh start DIR [PORT]   # installs slurm-wlm and munge if missing, starts
#                                                  # munged, slurmctld and slurmd; prints SLURM_CONF=…
#   bash slurm/local-cluster.sh stop DIR           # stops the daemons it started (by pid file)
# Then: SLURM_CONF=DIR/slurm.conf sbatch --wait …
set -euo pipefail
action=${1:?usage: local-cluster.sh start|stop DIR [PORT]}
dir=${2:?usage: local-cluster.sh start|stop DIR [PORT]}
port=${3:-16817}

stop() {
  for daemon in slurmd slurmctld munged; do
    if [[ -f $dir/$daemon.pid ]]; then
      pid=$(cat "$dir/$daemon.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/$daemon.pid"
    fi
  done
}

if [[ $action == stop ]]; then stop; exit 0; fi
[[ $action == start ]] || { echo "error: unknown action '$action': use start or stop" >&2; exit 2; }

missing=()
for tool in slurmctld:slurm-wlm slurmd:slurm-wlm sbatch:slurm-wlm munged:munge; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
if (( ${#missing[@]} )); then
  read -r -a missing <<< "$(printf "%s\n" "${missing[@]}" | sort -u | tr '\n' ' ')"
  sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo -n"
  echo "local-cluster: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

mkdir -p "$dir/state" "$dir/spool"
dir=$(cd "$dir" && pwd)
user=$(id -un)
host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
[[ -f $dir/munge.key ]] || { head -c 1024 /dev/urandom > "$dir/munge.key"; chmod 400 "$dir/munge.key"; }
cat > "$dir/slurm.conf" <<CONF
ClusterName=infoplanelocal
SlurmctldHost=$host(127.0.0.1)
SlurmUser=$user
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
export SLURM_CONF=$dir/slurm.conf
# The daemons get no terminal or pipe of ours (a caller reading our output would never see EOF):
# stdio goes to /dev/null, and descriptors a caller leaked to us (3–254; bash reads this script
# on 255) are closed first.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  if (( fd > 2 && fd < 255 )); then eval "exec ${fd}>&-" 2>/dev/null || true; fi
done
munged -f -S "$dir/munge.sock" --key-file="$dir/munge.key" --log-file="$dir/munged.log" \
  --pid-file="$dir/munged.pid" --seed-file="$dir/munged.seed" </dev/null >/dev/null 2>&1
slurmctld -f "$SLURM_CONF" </dev/null >/dev/null 2>&1
slurmd -f "$SLURM_CONF" </dev/null >/dev/null 2>&1
for _ in $(seq 100); do
  if sinfo -h -o %T 2>/dev/null | grep -qx idle; then echo "SLURM_CONF=$SLURM_CONF"; exit 0; fi
  sleep 0.2
done
echo "error: the local Slurm did not come up in 20 s; see $dir/slurmctld.log and $dir/slurmd.log" >&2
stop
exit 1
