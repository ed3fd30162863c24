import type Docker from 'dockerode';
import type { CloudModel } from '../cloud/model';
import type { PlanPart } from '../cloud/plan';
import { execArgv } from '../docker/exec';

/** What a cloud needs after its parts are built and before anyone uses it: warm tunnels, VMs with their leases. */

/**
 * OVS's userspace tunnels drop a packet while they look up the remote endpoint's MAC. So that no
 * learner's (or check's) first packet is the one lost, every node asks its tunnel peers for their
 * MACs over the underlay once all are built: OVS learns them from the ARP replies crossing br-phy.
 * arping, not ping: a ping finds the peer's MAC already known from the peer's own request, so no
 * reply would come back to teach OVS. Best effort: a peer that does not answer is the checks' to report.
 */
export async function warmTunnels(containers: Map<string, Docker.Container>, model: CloudModel): Promise<void> {
  await Promise.all(
    [...containers].map(async ([node, container]) => {
      const peers = [...new Set(model.nodes.get(node)?.tunnels.map((t) => t.remoteIp) ?? [])];
      // One exec per node asks all its peers at once (the addresses come as arguments).
      if (peers.length > 0) await execArgv(container, ['sh', '-c', ARP_PEERS, 'nl-warm', ...peers]).catch(() => undefined);
    }),
  );
}

const ARP_PEERS = 'for ip; do arping -c 1 -w 1 -I br-phy "$ip" >/dev/null 2>&1 & done; wait';

/**
 * VMs that take their address by DHCP have one once their network's DHCP server runs, a second
 * later (their client asks every second). Booting and solving wait for that, as a
 * cloud is not up until its VMs have their addresses; a lease that does not come is left for
 * the check to report.
 */
export async function awaitLeases(
  containers: Map<string, Docker.Container>,
  model: CloudModel,
  built: readonly PlanPart[],
  timeoutMs = 10_000,
): Promise<void> {
  const served = new Set(built.filter((p) => p.ref.kind === 'dhcp').map((p) => p.ref.subject));
  const waiting = model.ports.filter((p) => p.owner === 'vm' && p.dhcp && served.has(p.network.name));
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  await Promise.all(
    waiting.map(async (vm) => {
      const container = containers.get(vm.node);
      // One exec per VM, polling inside the node: an exec costs the engine a tenth of a second
      // of CPU, a loop turn in the node a few milliseconds.
      if (container) await execArgv(container, ['sh', '-c', AWAIT_LEASE, 'nl-lease', vm.name, vm.address, seconds]);
    }),
  );
}

/**
 * Waits up to $3 seconds for namespace $1 to hold address $2 and a default route. One read
 * shows both: the subnet's route names the leased address (src), and the default route comes
 * last (the client's script sets it after the address). Arguments come as $1..$3, never inside the script.
 */
const AWAIT_LEASE = `end=$(( $(date +%s) + $3 ))
while :; do
  routes=$(ip -n "$1" -4 route show)
  printf '%s\\n' "$routes" | grep -qwF "src $2" && printf '%s\\n' "$routes" | grep -q '^default ' && exit 0
  [ "$(date +%s)" -lt "$end" ] || exit 1
  sleep 0.2
done`;
