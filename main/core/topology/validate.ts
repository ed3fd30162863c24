import { contains, overlaps, parseCidr, parseIpv4, type Ipv4Cidr } from '../net/ipv4';
import type { Topology } from './schema';

/** A problem found in a lab file, located by its path inside the document. */
export interface Problem {
  path: (string | number)[];
  message: string;
  severity: 'error' | 'warning';
}

/**
 * The most nodes a lab may have. Each node is a container running OVS with a 256 MB memory cap,
 * and a learner's laptop runs the lab beside an IDE and a browser: 16 nodes is 4 GB at most,
 * four times the largest shipped lab (dvr, 4 nodes), and more than a guide can walk through.
 */
export const MAX_NODES = 16;

/** Checks what the schema cannot: references between parts and addresses that must agree. */
export function validateTopology(topology: Topology, base: (string | number)[] = ['topology']): Problem[] {
  const problems: Problem[] = [];
  const error = (path: (string | number)[], message: string) => problems.push({ path: [...base, ...path], message, severity: 'error' });
  const usedNetworks = new Set<string>();
  const addressOwners = new Map<string, string>();

  for (const [nodeName, node] of Object.entries(topology.nodes)) {
    const interfaces = new Set<string>();
    const joined = new Set<string>();
    node.links.forEach((link, index) => {
      const at = (field: string) => ['nodes', nodeName, 'links', index, field];
      const network = topology.networks[link.network];
      if (!network) {
        const known = Object.keys(topology.networks);
        error(
          at('network'),
          `node "${nodeName}" joins network "${link.network}", which topology.networks does not declare` +
            (known.length ? ` (declared: ${known.join(', ')})` : ' (it declares none)'),
        );
      } else {
        usedNetworks.add(link.network);
        if (joined.has(link.network)) error(at('network'), `node "${nodeName}" joins network "${link.network}" twice`);
      }
      joined.add(link.network);

      if (link.interface === 'lo') error(at('interface'), '"lo" is the loopback interface; pick another name');
      if (interfaces.has(link.interface)) {
        error(at('interface'), `node "${nodeName}" already has an interface named "${link.interface}"`);
      }
      interfaces.add(link.interface);

      const address = link.address === undefined ? undefined : parseCidr(link.address);
      if (address && link.address) {
        const ip = link.address.split('/')[0] ?? '';
        const key = `${link.network}/${ip}`;
        const owner = addressOwners.get(key);
        if (owner) error(at('address'), `address ${ip} on network "${link.network}" is already used by node "${owner}"`);
        addressOwners.set(key, nodeName);
        const subnet = network?.subnet === undefined ? undefined : parseCidr(network.subnet);
        if (subnet && !contains(subnet, address.address)) {
          error(at('address'), `address ${link.address} is outside network "${link.network}" (${network?.subnet})`);
        }
      }
      if (link.gateway !== undefined) {
        const gateway = parseIpv4(link.gateway);
        if (!address) error(at('gateway'), 'a gateway needs an address on the same link');
        else if (gateway !== undefined && !contains(address, gateway)) {
          error(at('gateway'), `gateway ${link.gateway} is not in ${link.address}`);
        }
      }
    });
    const gateways = node.links.filter((link) => link.gateway !== undefined);
    if (gateways.length > 1) {
      error(['nodes', nodeName, 'links'], `node "${nodeName}" has ${gateways.length} default gateways; keep one`);
    }
  }

  const nodeCount = Object.keys(topology.nodes).length;
  if (nodeCount > MAX_NODES) error(['nodes'], `a lab has at most ${MAX_NODES} nodes; this one has ${nodeCount}`);

  // Two networks whose subnets overlap would route some addresses to the wrong one.
  const subnets: [string, Ipv4Cidr][] = Object.entries(topology.networks).flatMap(([name, network]) => {
    const subnet = network.subnet === undefined ? undefined : parseCidr(network.subnet);
    return subnet ? [[name, subnet] as [string, Ipv4Cidr]] : [];
  });
  subnets.forEach(([name, subnet], i) => {
    for (const [other, otherSubnet] of subnets.slice(0, i)) {
      if (overlaps(subnet, otherSubnet)) {
        error(
          ['networks', name, 'subnet'],
          `subnet ${topology.networks[name]?.subnet} of network "${name}" overlaps ${topology.networks[other]?.subnet} of network "${other}"`,
        );
      }
    }
  });

  for (const name of Object.keys(topology.networks)) {
    if (!usedNetworks.has(name)) {
      problems.push({
        path: [...base, 'networks', name],
        message: `network "${name}" is declared but no node joins it`,
        severity: 'warning',
      });
    }
  }
  return problems;
}
