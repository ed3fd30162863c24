import type { LabSummary } from '../../../../main/api/contract';

/**
 * The order a newcomer should take the labs in: the catalogue's order in LABS.md (basics, then
 * the overlay tunnels, then the agents, then the advanced ones). A lab not listed here goes
 * after them, easier levels first, then by title.
 */
export const LEARNING_ORDER = [
  'ovs-basics',
  'gre-tenant',
  'vlan-provider',
  'flat-provider',
  'vxlan-tenant',
  'mtu',
  'dhcp-router',
  'security-groups',
  'lbaas',
  'fwaas',
  'dvr',
  'backend-compare',
  'easyovs-tour',
  // Troubleshooting last: each breaks what the guided labs taught.
  'troubleshoot-l2',
  'troubleshoot-l3',
  'troubleshoot-security',
  // The sandbox: for those who know the labs and want to make Neutron do things.
  'explore',
];

const LEVELS = ['beginner', 'intermediate', 'advanced'];

export function inLearningOrder<T extends Pick<LabSummary, 'id' | 'level' | 'title'>>(labs: readonly T[]): T[] {
  const rank = (lab: T) => {
    const i = LEARNING_ORDER.indexOf(lab.id);
    return i >= 0 ? i : LEARNING_ORDER.length + LEVELS.indexOf(lab.level);
  };
  return [...labs].sort((a, b) => rank(a) - rank(b) || a.title.localeCompare(b.title));
}
