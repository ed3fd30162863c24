import { resolveCloud } from '../cloud/model';
import { renderCloud } from '../cloud/render';
import type { Engine } from '../docker/engine';
import { AppError } from '../errors';
import type { LoadedLab } from '../lab/load';
import { bootParts } from '../lab/parts';
import { up, type UpOptions } from '../session/boot';
import { pinsDir, prunePins } from '../session/pin';
import { listSessions, type SessionStatus } from '../session/sessions';
import { removeSession } from '../session/teardown';
import { containersOf, pinLab } from './running-lab';
import { awaitLeases, warmTunnels } from './settle';

/** `up`, then what a cloud needs before use: the lab pinned, warm tunnels, VMs with their DHCP leases. */
export async function startLab(engine: Engine, loaded: LoadedLab, options: Omit<UpOptions, 'parts'> = {}): Promise<SessionStatus> {
  const model = resolveCloud(loaded.lab);
  const parts = bootParts(loaded.lab, renderCloud(loaded.lab, model));
  const session = await up(engine, loaded, { ...options, parts });
  try {
    await pinLab(session, loaded);
  } catch (error) {
    // A lab without its pin would be checked against whatever the file says later: not up at all is clearer.
    await removeSession(engine, session.id).catch(() => undefined);
    throw new AppError('environment', `Cannot keep the running copy of lab ${loaded.lab.id} in ${pinsDir()}: ${(error as Error).message}`, {
      hint: 'Neutron Lab keeps it in its data folder (NEUTRON_LAB_DATA sets another): make that folder writable.',
    });
  }
  await Promise.all([
    warmTunnels(containersOf(engine, session), model),
    // Pins of sessions removed without a teardown (containers removed by hand) go now.
    listSessions(engine).then((sessions) => prunePins(new Set(sessions.map((s) => s.id)))),
  ]);
  await awaitLeases(containersOf(engine, session), model, parts);
  return session;
}
