import { z } from 'zod';
import { CommandCheck } from './command';
import { HttpProbe } from './http';
import type { ProbeContext } from './kind';
import { PingProbe } from './ping';
import { TcpProbe } from './tcp';
import { probePlace } from './text';

/** Traffic a counter or capture check sends while it watches. */
export const TrafficSchema = z.discriminatedUnion('kind', [PingProbe, TcpProbe, HttpProbe, CommandCheck]);

type Traffic = z.infer<typeof TrafficSchema>;

export function describeTraffic(traffic: Traffic, ctx: ProbeContext): string {
  switch (traffic.kind) {
    case 'ping':
      return `${probePlace(ctx.where(traffic.from))} pings ${ctx.address(traffic.to)}${traffic.source ? ` from ${traffic.source}` : ''}`;
    case 'tcp':
      return `${probePlace(ctx.where(traffic.from))} connects to ${ctx.address(traffic.to)}:${traffic.port}`;
    case 'http':
      return `${probePlace(ctx.where(traffic.from))} fetches ${traffic.url}`;
    case 'command':
      return `\`${traffic.argv.join(' ')}\` runs`;
  }
}
