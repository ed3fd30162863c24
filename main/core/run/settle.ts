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
    [...containers].flatMap(([node, container]) => {
      const peers = new Set(model.nodes.get(node)?.tunnels.map((t) => t.remoteIp) ?? []);
      return [...peers].map((ip) => execArgv(container, ['arping', '-c', '1', '-w', '1', '-I', 'br-phy', ip]).catch(() => undefined));
    }),
  );
}

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
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    waiting.map(async (vm) => {
      const container = containers.get(vm.node);
      if (!container) return;
      while (Date.now() < deadline) {
        // One read shows both: the subnet's route names the leased address (src), and the
        // default route comes last (the client's script sets it after the address).
        const routes = (await execArgv(container, ['ip', '-n', vm.name, '-4', 'route', 'show'])).stdout;
        const words = routes.split(/\s+/);
        if (words.some((w, i) => w === 'src' && words[i + 1] === vm.address) && /^default /m.test(routes)) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }),
  );
}
