#!/usr/bin/env bash
# A real single-node Slurm cluster on 127.0.0.1 (Debian's slurmctld + slurmd + munge), for testing the
# evaluation array job as labs run it. Root only (the daemons and apt-get need it).
#
#   scripts/slurm-local.sh start STATE_DIR    installs slurm-wlm + munge when missing, writes STATE_DIR/slurm.conf,
#                                             starts munged, slurmctld, slurmd; waits until the node is idle;
#                                             prints "export SLURM_CONF=STATE_DIR/slurm.conf"
#   scripts/slurm-local.sh stop STATE_DIR     stops the three daemons started by "start" (by their pid files)
#
# Every client command (sbatch, squeue, sinfo) needs SLURM_CONF=STATE_DIR/slurm.conf in its environment.
set -euo pipefail
cmd="${1:?usage: slurm-local.sh start|stop STATE_DIR}"
state="${2:?usage: slurm-local.sh start|stop STATE_DIR}"

stop_all() {
  local name pid
  for name in slurmd slurmctld munged; do
    if [ -f "$state/$name.pid" ]; then
      pid=$(cat "$state/$name.pid" 2>/dev/null || true)
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
      fi
      rm -f "$state/$name.pid"
    fi
  done
}

case "$cmd" in
  stop) stop_all; exit 0 ;;
  start) ;;
  *) echo "slurm-local.sh: unknown command '$cmd' (start or stop)" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  echo "slurm-local.sh: starting slurmctld, slurmd and munged needs root" >&2
  exit 2
fi
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  echo "slurm-local.sh: installing slurm-wlm and munge (apt-get)" >&2
  exec {apt_fd}>/tmp/eventdeblur-apt.lock
  command -v flock >/dev/null 2>&1 && flock "$apt_fd"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge >/dev/null; }
  exec {apt_fd}>&-
fi

mkdir -p "$state"
state="$(cd "$state" && pwd)"
mkdir -p "$state/spool/ctld" "$state/spool/d" "$state/munge" "$state/log"
host="$(hostname -s)"
cpus="$(nproc)"
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))

# munge: a private key and socket, so that this cluster never touches a system-wide munged
if [ ! -f "$state/munge/munge.key" ]; then
  head -c 1024 /dev/urandom > "$state/munge/munge.key"
fi
chmod 700 "$state/munge"; chmod 400 "$state/munge/munge.key"
socket="$state/munge/munge.socket"

cat > "$state/slurm.conf" <<EOF
ClusterName=eventdeblur-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$state/spool/ctld
SlurmdSpoolDir=$state/spool/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF

stop_all
munged --force --key-file="$state/munge/munge.key" --socket="$socket" --pid-file="$state/munged.pid" \
  --log-file="$state/log/munged.log" --seed-file="$state/munge/seed"
export SLURM_CONF="$state/slurm.conf"
slurmctld -c -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

for _ in $(seq 1 150); do
  if sinfo -h -o '%T' 2>/dev/null | grep -Eq '^idle'; then
    echo "export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.2
done
echo "slurm-local.sh: the node did not become idle within 30 s; logs in $state/log:" >&2
tail -n 20 "$state/log/"*.log >&2 || true
stop_all
exit 1
