import { resolveCloud } from '../cloud/model';
import { renderCloud } from '../cloud/render';
import type { Engine } from '../docker/engine';
import type { LoadedLab } from '../lab/load';
import { bootParts } from '../lab/parts';
import { up, type UpOptions } from '../session/boot';
import type { SessionStatus } from '../session/sessions';
import { containersOf } from './running-lab';
import { awaitLeases, warmTunnels } from './settle';

/** `up`, then what a cloud needs before use: warm tunnels, VMs with their DHCP leases. */
export async function startLab(engine: Engine, loaded: LoadedLab, options: Omit<UpOptions, 'parts' | 'settle'> = {}): Promise<SessionStatus> {
  const model = resolveCloud(loaded.lab);
  const parts = bootParts(loaded.lab, renderCloud(loaded.lab, model));
  return up(engine, loaded, {
    ...options,
    parts,
    // Inside `up`, so that the boot is marked complete only after them, and a failure or an
    // interruption while waiting removes the half-ready lab like any other boot failure.
    settle: async (session) => {
      await warmTunnels(containersOf(engine, session), model);
      await awaitLeases(containersOf(engine, session), model, parts);
    },
  });
}

