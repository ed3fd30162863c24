import { resolveCloud } from '../cloud/model';
import { renderCloud } from '../cloud/render';
import type { Engine } from '../docker/engine';
import { AppError } from '../errors';
import type { LoadedLab } from '../lab/load';
import { bootParts } from '../lab/parts';
import { up, type UpOptions } from '../session/boot';
import { pinsDir, prunePins } from '../session/pin';
import { listSessions, type SessionStatus } from '../session/sessions';
import type { FaultChoice } from '../lab/faults';
import { faultToMake, runFault } from './faults';
import { containersOf, pinLab } from './running-lab';
import { awaitLeases, warmTunnels } from './settle';

/**
 * `up`, then what a cloud needs before use: the lab pinned, warm tunnels, VMs with their DHCP
 * leases; last, a break-fix lab's fault, drawn as `fault` says.
 */
export async function startLab(
  engine: Engine,
  loaded: LoadedLab,
  { fault: choice, ...options }: Omit<UpOptions, 'parts' | 'settle'> & { fault?: FaultChoice } = {},
): Promise<SessionStatus> {
  const fault = faultToMake(loaded.lab, choice);
  const model = resolveCloud(loaded.lab);
  const parts = bootParts(loaded.lab, renderCloud(loaded.lab, model));
  const session = await up(engine, loaded, {
    ...options,
    parts,
    // Inside `up`, so that the boot is marked complete only after them, and a failure or an
    // interruption while waiting removes the half-ready lab like any other boot failure.
    settle: async (booted) => {
      let pinned;
      try {
        pinned = await pinLab(booted, loaded, fault);
      } catch (error) {
        // A lab without its pin would be checked against whatever the file says later: not up at all is clearer.
        throw new AppError(
          'environment',
          `Cannot keep the running copy of lab ${loaded.lab.id} in ${pinsDir()}: ${(error as Error).message}`,
          {
            hint: 'Neutron Lab keeps it in its data folder (NEUTRON_LAB_DATA sets another): make that folder writable.',
          },
        );
      }
      await warmTunnels(containersOf(engine, booted), model);
      await awaitLeases(containersOf(engine, booted), model, parts);
      if (pinned.fault) await runFault(containersOf(engine, booted), pinned.fault.name, pinned.fault.fault, 'break');
    },
  });
  // Pins of sessions removed without a teardown (containers removed by hand) go now.
  await listSessions(engine).then((sessions) => prunePins(new Set(sessions.map((s) => s.id))));
  return session;
}
