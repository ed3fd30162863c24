import type { PacketTrace } from './parse';

/** A trace as the CLI prints it: each bridge, each table's matched flow and actions, OVS's notes, the tunnel and the verdict. */
export function describeTrace(trace: PacketTrace): string {
  const lines = [`packet: ${trace.flow}`];
  let bridge = '';
  for (const step of trace.steps) {
    if (step.bridge !== bridge) {
      bridge = step.bridge;
      lines.push(`bridge ${bridge}`);
    }
    const matched = step.match === undefined ? 'no match' : `${step.match || '*'}, priority ${step.priority}`;
    lines.push(`  table ${String(step.table).padStart(2)}: ${matched} → ${step.actions.join(', ') || 'drop'}`);
    for (const note of step.notes) lines.push(`            ${note}`);
  }
  for (const tunnel of trace.tunnels) {
    lines.push(
      `leaves by ${tunnel.type} tunnel ${tunnel.source ?? '?'} → ${tunnel.destination ?? '?'}${tunnel.tunnelId ? `, tunnel id ${tunnel.tunnelId}` : ''}`,
    );
  }
  lines.push(trace.dropped ? 'dropped' : `datapath actions: ${trace.datapathActions}`);
  return `${lines.join('\n')}\n`;
}
